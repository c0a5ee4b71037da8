import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { rabbitmqForTests } from '@switchyard/testing';
import { freshSlottedBrokerPerTest, waitFor } from './support/slotted-broker.ts';

const rabbitmq = await rabbitmqForTests();

describe('messages no slot reads any more', { skip: rabbitmq.skip }, () => {
  const broker = freshSlottedBrokerPerTest(rabbitmq, { beforeEach, afterEach });

  it('adopts an unslotted endpoint: its queue stops taking messages and what it held moves to the live slot', async () => {
    const admin = broker().publisher;
    await admin.assertQueue('billing', { durable: true });
    await admin.bindQueue('billing', 'billing', '');
    for (let index = 0; index < 30; index++) await broker().publish('billing', `before-${index}`);
    await broker().writeDesired('services:\n  billing:\n    live: blue\n');
    const reconciler = broker().reconciler();
    const pass = await reconciler.reconcileOnce();
    assert.ok(
      pass.plan.steps.some((step) => step.action === 'unbind' && step.binding.destination === 'billing'),
    );
    // The management API's queue figures lag a few seconds: the move happens on the pass that sees them.
    await waitFor('the unslotted queue is moved', async () => {
      await reconciler.reconcileOnce();
      return (await broker().depth('billing')) === 0;
    });
    await broker().publish('billing', 'after');
    const taken = await broker().takeAll('billing@blue');
    assert.equal(taken.length, 31);
    assert.deepEqual(
      new Set(taken),
      new Set([...Array.from({ length: 30 }, (_, index) => `before-${index}`), 'after']),
    );
  });

  it('moves what a stopped slot left queued, and its affinity traffic, to the live slot', async () => {
    await broker().writeDesired('services:\n  billing:\n    live: green\n');
    const reconciler = broker().reconciler({ stoppedAfterMs: 500 });
    await reconciler.reconcileOnce();
    const blue = await broker().connection.createChannel();
    await blue.assertQueue('billing@blue', { durable: true });
    await blue.prefetch(5);
    const held: unknown[] = [];
    await blue.consume('billing@blue', (message) => {
      held.push(message); // taken, never acknowledged: the process dies with them
    });
    await waitFor('blue is routed', async () => {
      await reconciler.reconcileOnce();
      const bindings = (await broker().vhost.readManagement(
        `/api/exchanges/${encodeURIComponent(broker().vhost.name)}/billing%40slots/bindings/source`,
      )) as { destination: string }[];
      return bindings.some((binding) => binding.destination === 'billing@blue');
    });
    for (let index = 0; index < 20; index++)
      await broker().publish('billing', `blue-${index}`, { slot: 'blue' });
    await waitFor('blue holds five unacknowledged', async () => held.length === 5);
    await blue.close(); // as a kill: the five unacknowledged go back to the queue
    await waitFor('blue is found stopped and emptied into green', async () => {
      await reconciler.reconcileOnce();
      return (await broker().depth('billing@blue')) === 0 && (await broker().depth('billing@green')) === 20;
    });
    await broker().publish('billing', 'late-for-blue', { slot: 'blue' });
    const green = await broker().takeAll('billing@green');
    assert.equal(green.length, 21);
    assert.equal(new Set(green).size, 21, 'none twice');
  });
});
