import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ManagementClient } from '@switchyard/rabbitmq';
import {
  BrokerUnreadableError,
  DesiredStateError,
  SlotOperations,
  SwitchRefusedError,
} from '@switchyard/slots';
import { rabbitmqForTests } from '@switchyard/testing';
import { freshSlottedBrokerPerTest, type SlottedBroker } from './support/slotted-broker.ts';

const rabbitmq = await rabbitmqForTests();

function operationsOn(broker: SlottedBroker) {
  const reconciler = broker.reconciler();
  return new SlotOperations({
    url: broker.vhost.url,
    management: broker.management,
    desiredState: broker.desiredState,
    catalogue: { services: { billing: [{ name: 'billing', queueType: 'classic' }] } },
    reconciler,
  });
}

/** A consumer on the slot's queue, as a running slot process has; answers a function that stops it. */
async function runSlot(broker: SlottedBroker, slot: string): Promise<() => Promise<void>> {
  const channel = await broker.connection.createChannel();
  await channel.assertQueue(`billing@${slot}`, { durable: true });
  await channel.consume(`billing@${slot}`, () => {});
  return () => channel.close();
}

describe('switch, rollback and canary', { skip: rabbitmq.skip }, () => {
  const broker = freshSlottedBrokerPerTest(rabbitmq, { beforeEach, afterEach });

  it('switches to a running slot, keeps the one before for a rollback, and rolls back to it', async () => {
    await broker().writeDesired('services:\n  billing:\n    live: blue\n');
    const operations = operationsOn(broker());
    await broker().reconciler().reconcileOnce();
    const stops = [await runSlot(broker(), 'blue'), await runSlot(broker(), 'green')];
    const switched = await operations.switchTo('billing', 'green');
    assert.deepEqual(
      [switched.before?.live, switched.after.live, switched.after.previous],
      ['blue', 'green', 'blue'],
    );
    await broker().publish('billing', 'after-switch');
    const rolledBack = await operations.rollback('billing');
    assert.deepEqual([rolledBack.after.live, rolledBack.after.previous], ['blue', 'green']);
    for (const stop of stops) await stop();
    await broker().publish('billing', 'after-rollback');
    assert.deepEqual(await broker().takeAll('billing@green'), ['after-switch']);
    assert.deepEqual(await broker().takeAll('billing@blue'), ['after-rollback']);
  });

  it('refuses a switch to a slot no process consumes, an unknown slot or service, and changes nothing', async () => {
    await broker().writeDesired('services:\n  billing:\n    live: blue\n');
    const operations = operationsOn(broker());
    await broker().reconciler().reconcileOnce();
    const before = await broker().desiredState.read();
    await assert.rejects(
      operations.switchTo('billing', 'green'),
      (error: unknown) =>
        error instanceof SwitchRefusedError && /no process consumes billing@green/.test(error.message),
    );
    await assert.rejects(
      operations.switchTo('billing', 'purple'),
      /"purple" is not a slot \(slots: blue, green\)/,
    );
    await assert.rejects(
      operations.switchTo('invoices', 'green'),
      /"invoices" is not a service of this application \(services: billing\)/,
    );
    await assert.rejects(operations.canary('billing', 'green', 10), SwitchRefusedError);
    await assert.rejects(operations.rollback('billing'), /no previous slot/);
    assert.deepEqual(await broker().desiredState.read(), before);
    await broker().publish('billing', 'still-blue');
    assert.deepEqual(await broker().takeAll('billing@blue'), ['still-blue']);
  });

  it('refuses a desired state naming a service the application does not have, before touching the broker', async () => {
    await broker().writeDesired('services:\n  billing:\n    live: blue\n  invoices:\n    live: blue\n');
    const reconciler = broker().reconciler();
    await assert.rejects(
      reconciler.reconcileOnce(),
      (error: unknown) => error instanceof DesiredStateError && /services\.invoices/.test(error.message),
    );
    const exchanges = (await broker().vhost.readManagement(
      `/api/exchanges/${encodeURIComponent(broker().vhost.name)}`,
    )) as { name: string }[];
    assert.ok(!exchanges.some((exchange) => exchange.name.includes('@')), 'no routing was made');
  });

  it('says what is missing when the broker has no management API to read', async () => {
    await broker().writeDesired('services:\n  billing:\n    live: blue\n');
    const reconciler = broker().reconciler({
      management: new ManagementClient('http://guest:guest@127.0.0.1:1', broker().vhost.name),
    });
    await assert.rejects(
      reconciler.reconcileOnce(),
      (error: unknown) =>
        error instanceof BrokerUnreadableError && /rabbitmq_management plugin/.test(error.message),
    );
  });
});
