import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConfigurationError,
  consumer,
  MemoryBroker,
  MemoryDatabase,
  MemoryInbox,
  MemoryOutbox,
  type MemoryTransaction,
  massTransitJsonCodec,
  receiveEndpoint,
  startTestHarness,
  type TestHarness,
  type Transport,
  transactional,
  transactionOf,
  uuidv7,
} from '@switchyard/bus';
import { OrderAccepted, OrderPlaced, order } from './support/messages.ts';
import { outboxDispatching } from './support/outbox-dispatching.ts';

/** The consumers' own state, in the same in-memory database as the inbox and outbox. */
function ordersTable(database: MemoryDatabase) {
  return database.table('accepted-orders', () => new Map<string, number>());
}

async function startWithOutbox(
  options: { failFirstPublishes?: number; handler?: (orderId: string) => void } = {},
) {
  const database = new MemoryDatabase();
  const outbox = new MemoryOutbox(database);
  const inbox = new MemoryInbox(database);
  const broker = new MemoryBroker();
  let failuresLeft = options.failFirstPublishes ?? 0;
  // The dispatcher sends through the same broker, but its first publishes fail like a lost connection.
  const { dispatcher, services } = outboxDispatching(broker, outbox, {
    wrap: (transport) =>
      Object.assign(Object.create(transport) as Transport, {
        publish: async (exchange: string, message: Parameters<Transport['publish']>[1]) => {
          if (failuresLeft > 0) {
            failuresLeft -= 1;
            throw new Error('connection lost');
          }
          await transport.publish(exchange, message);
        },
      }),
  });
  const harness = await startTestHarness({
    broker,
    services,
    endpoints: [
      receiveEndpoint('orders', {
        retry: { immediate: { limit: 2 } },
        middleware: [transactional({ transactions: database, outbox, inbox, dispatcher })],
        consumers: [
          consumer(
            OrderPlaced,
            async (message, context) => {
              const tx = transactionOf<MemoryTransaction>(context);
              const accepted = tx.stage(ordersTable(database));
              accepted.set(message.orderId, (accepted.get(message.orderId) ?? 0) + 1);
              await context.publish(OrderAccepted, { orderId: message.orderId });
              options.handler?.(message.orderId);
            },
            { name: 'accept-order' },
          ),
        ],
      }),
      receiveEndpoint('billing', { consumers: [consumer(OrderAccepted, () => {})] }),
    ],
  });
  return { harness, database, outbox };
}

/** OrderAccepted messages that reached billing: handled there, or still waiting in its queue. */
function acceptedMessages(harness: TestHarness): number {
  return (
    harness.consumed.ofType(OrderAccepted).length + (harness.transport.broker.queue('billing')?.depth ?? 0)
  );
}

describe('transactional consumers (inbox + outbox middleware)', () => {
  it('commits state and outgoing messages together, then delivers them at once', async () => {
    const { harness, database, outbox } = await startWithOutbox();
    try {
      await harness.bus.publish(OrderPlaced, order('o-1'));
      await harness.consumed.waitFor(OrderAccepted);
      assert.equal(ordersTable(database).get('o-1'), 1);
      assert.equal(await outbox.pendingCount(), 0);
    } finally {
      await harness.stop();
    }
  });

  it('rolls back state and outgoing messages of a failed attempt', async () => {
    let attempts = 0;
    const { harness, database } = await startWithOutbox({
      handler: () => {
        attempts += 1;
        if (attempts === 1) throw new Error('pricing failed');
      },
    });
    try {
      await harness.bus.publish(OrderPlaced, order('o-2'));
      await harness.consumed.waitFor(OrderAccepted);
      await harness.bus.stop();
      assert.equal(attempts, 2);
      assert.equal(ordersTable(database).get('o-2'), 1, 'the failed attempt left no state');
      assert.equal(acceptedMessages(harness), 1, 'nor a message');
    } finally {
      await harness.stop();
    }
  });

  it('runs a consumer once for a message delivered twice (the inbox)', async () => {
    let runs = 0;
    const { harness, database } = await startWithOutbox({ handler: () => void runs++ });
    try {
      const body = Buffer.from(
        JSON.stringify({
          messageId: uuidv7(),
          messageType: [OrderPlaced.urn],
          message: order('o-3'),
          sentTime: new Date().toISOString(),
        }),
      );
      const duplicate = {
        messageId: 'same',
        contentType: massTransitJsonCodec.contentType,
        body,
        headers: {},
      };
      await harness.transport.send('orders', duplicate);
      await harness.transport.send('orders', duplicate);
      await harness.consumed.waitForCount(OrderPlaced, 2);
      await harness.bus.stop();
      assert.equal(runs, 1);
      assert.equal(ordersTable(database).get('o-3'), 1);
      assert.equal(acceptedMessages(harness), 1);
    } finally {
      await harness.stop();
    }
  });

  it('leaves a message it could not send in the outbox, and the sweeper delivers it exactly once', async () => {
    const { harness, outbox } = await startWithOutbox({ failFirstPublishes: 2 });
    try {
      await harness.bus.publish(OrderPlaced, order('o-4'));
      await harness.consumed.waitFor(OrderPlaced);
      await harness.consumed.waitFor(OrderAccepted, undefined, 10_000);
      await harness.bus.stop();
      assert.equal(acceptedMessages(harness), 1);
      assert.equal(await outbox.pendingCount(), 0);
    } finally {
      await harness.stop();
    }
  });

  it('tells a consumer that asks for a transaction where the middleware is missing', async () => {
    const harness = await startTestHarness({
      endpoints: [
        receiveEndpoint('orders', {
          retry: { immediate: { limit: 0 } },
          consumers: [consumer(OrderPlaced, (_message, context) => void transactionOf(context))],
        }),
      ],
    });
    try {
      await harness.bus.publish(OrderPlaced, order('o-5'));
      const faulted = await harness.faulted.waitFor(OrderPlaced);
      assert.ok(faulted.error instanceof ConfigurationError);
      assert.match(faulted.error.message, /transactional\(\) middleware is not on this endpoint/);
    } finally {
      await harness.stop();
    }
  });

  it('refuses to be built without a way for messages to leave', () => {
    const database = new MemoryDatabase();
    const options = { transactions: database, outbox: new MemoryOutbox(database) };
    assert.throws(
      () => transactional(options as unknown as Parameters<typeof transactional<MemoryTransaction>>[0]),
      (error: unknown) =>
        error instanceof ConfigurationError &&
        /an outbox and its dispatcher, or transactional sends/.test(error.message),
    );
  });
});
