import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import { type SlottedBroker, slottedBroker } from './support/slotted-broker.ts';

const rabbitmq = await rabbitmqForTests();

describe('the slots routing on RabbitMQ', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;
  let broker: SlottedBroker;
  before(async () => {
    vhost = await rabbitmq.createVhost();
  });
  after(async () => {
    await vhost?.delete();
  });
  beforeEach(async () => {
    // A fresh vhost per test would cost a second each; the endpoint's names are fresh instead.
    await vhost.delete();
    vhost = await rabbitmq.createVhost();
    broker = await slottedBroker(vhost);
    // The application's own topology: the entry exchange, which senders and message types address.
    await broker.publisher.assertExchange('billing', 'fanout', { durable: true });
  });
  afterEach(async () => {
    await broker?.close();
  });

  it('routes every message to exactly one slot while the live slot switches back and forth under load', async () => {
    await broker.writeDesired('services:\n  billing:\n    live: blue\n');
    const reconciler = broker.reconciler();
    await reconciler.reconcileOnce();
    let stop = false;
    let published = 0;
    const publishing = (async () => {
      while (!stop) {
        await Promise.all(Array.from({ length: 20 }, () => broker.publish('billing', `m-${published++}`)));
      }
    })();
    for (const slot of ['green', 'blue', 'green', 'blue', 'green']) {
      await broker.desiredState.update('billing', (current) => ({ ...current, live: slot }));
      const pass = await reconciler.reconcileOnce();
      assert.ok(
        pass.plan.steps.some(
          (step) => step.action === 'set-policy' && step.alternateExchange === `billing@${slot}`,
        ),
        `the switch to ${slot} is one policy change`,
      );
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    stop = true;
    await publishing;
    const blue = await broker.takeAll('billing@blue');
    const green = await broker.takeAll('billing@green');
    const all = [...blue, ...green];
    assert.equal(all.length, published, 'none lost: every confirmed message is in a slot');
    assert.equal(new Set(all).size, published, 'none twice: no message is in both slots');
    assert.ok(
      blue.length > 0 && green.length > 0,
      `both slots took messages (${blue.length}, ${green.length})`,
    );
  });

  it('leads a message bound to a running slot to that slot, whichever is live, and an unbound one to the live slot', async () => {
    await broker.writeDesired('services:\n  billing:\n    live: green\n');
    await broker.reconciler().reconcileOnce();
    await broker.publisher.assertQueue('billing@blue', { durable: true });
    const blueConsumer = await broker.connection.createChannel();
    await blueConsumer.prefetch(1);
    const seenByBlue: string[] = [];
    await blueConsumer.consume('billing@blue', (message) => {
      if (message) seenByBlue.push(String(message.properties.messageId));
    });
    // The management API counts consumers every few seconds; the reconciler routes to blue once it sees one.
    const reconciler = broker.reconciler();
    await waitFor(async () => {
      await reconciler.reconcileOnce();
      const { plan } = await reconciler.plan();
      const bindings = (await vhost.readManagement(
        `/api/exchanges/${encodeURIComponent(vhost.name)}/billing%40slots/bindings/source`,
      )) as { destination: string }[];
      return plan.steps.length === 0 && bindings.some((binding) => binding.destination === 'billing@blue');
    });
    await broker.publish('billing', 'bound-to-blue', { slot: 'blue' });
    await broker.publish('billing', 'bound-to-green', { slot: 'green' });
    await broker.publish('billing', 'unbound');
    await broker.publish('billing', 'bound-to-a-slot-that-does-not-run', { slot: 'purple' });
    await waitFor(async () => seenByBlue.length === 1);
    assert.deepEqual(seenByBlue, ['bound-to-blue']);
    assert.deepEqual((await broker.takeAll('billing@green')).sort(), [
      'bound-to-a-slot-that-does-not-run',
      'bound-to-green',
      'unbound',
    ]);
    await blueConsumer.close();
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
