import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConfigurationError,
  consumer,
  conversationBucket,
  createBus,
  envelopeHeaders,
  MemoryBroker,
  MemoryDatabase,
  MemoryInbox,
  MemoryOutbox,
  type MemoryTransaction,
  MemoryTransport,
  massTransitJsonCodec,
  receiveEndpoint,
  slotRoutingHeaders,
  startTestHarness,
  type TestHarness,
  transactional,
  transactionOf,
  uuidv7,
} from '@switchyard/bus';
import { CheckStock, OrderAccepted, OrderPlaced, order } from './support/messages.ts';
import { outboxDispatching } from './support/outbox-dispatching.ts';

/** Leads each service's entry exchange to its slot's exchange, as the slots' reconciler does on a broker. */
async function routeEntriesToSlot(harness: TestHarness, entries: readonly string[], slot: string) {
  await harness.transport.deploy({
    exchanges: [],
    queues: [],
    bindings: entries.map((entry) => ({
      source: entry,
      destination: `${entry}@${slot}`,
      destinationType: 'exchange' as const,
    })),
  });
}

describe('a bus running in a slot', () => {
  it('consumes from <endpoint>@<slot> and binds message types to the endpoint itself, which leads to no queue', () => {
    const bus = createBus({
      transport: new MemoryTransport(new MemoryBroker()),
      slot: 'green',
      endpoints: [receiveEndpoint('orders', { consumers: [consumer(OrderPlaced, () => {})] })],
    });
    const { exchanges, queues, bindings } = bus.topology();
    assert.ok(queues.some((queue) => queue.name === 'orders@green'));
    assert.ok(queues.some((queue) => queue.name === 'orders@green_error'));
    assert.ok(!queues.some((queue) => queue.name === 'orders'), 'no unslotted queue');
    assert.ok(exchanges.some((exchange) => exchange.name === 'orders' && exchange.role === 'endpoint'));
    const into = (destination: string) =>
      bindings.filter((each) => each.destination === destination).map((each) => each.source);
    assert.deepEqual(into('orders'), [OrderPlaced.entityName], 'the message type enters at the endpoint');
    assert.deepEqual(into('orders@green'), ['orders@green']);
    assert.ok(!bindings.some((each) => each.source === 'orders' && each.destination !== 'orders'));
  });

  it('binds what its consumers produce to its own slot, except the types that follow the live slot', async () => {
    const harness = await startTestHarness({
      slot: 'green',
      slotFollowsLive: [CheckStock],
      endpoints: [
        receiveEndpoint('orders', {
          consumers: [
            consumer(OrderPlaced, async (message, context) => {
              await context.send('billing', OrderAccepted, message);
              await context.send('billing', CheckStock, { sku: 'milk' });
            }),
          ],
        }),
        receiveEndpoint('billing', {
          consumers: [consumer(OrderAccepted, () => {}), consumer(CheckStock, () => {})],
        }),
      ],
    });
    try {
      await routeEntriesToSlot(harness, ['orders', 'billing'], 'green');
      // Bound to blue by an earlier hop; consumed here, in green, where its conversation now is.
      await harness.bus.send('orders', OrderPlaced, order('o-1'), {
        headers: { [envelopeHeaders.slot]: 'blue' },
      });
      const [accepted] = await harness.consumed.waitForCount(OrderAccepted, 1);
      const [check] = await harness.consumed.waitForCount(CheckStock, 1);
      assert.equal(accepted?.envelope.headers[envelopeHeaders.slot], 'green');
      assert.equal(accepted?.endpoint, 'billing@green');
      assert.equal(check?.envelope.headers[envelopeHeaders.slot], undefined, 'follows the live slot');
    } finally {
      await harness.stop();
    }
  });

  it('puts the slot and the conversation bucket on the transport message, where a headers exchange reads them', async () => {
    const harness = await startTestHarness();
    try {
      await harness.bus.send('audit', OrderPlaced, order('o-2'), {
        headers: { [envelopeHeaders.slot]: 'blue' },
      });
      await harness.bus.send('audit', OrderPlaced, order('o-3'));
      const [bound, free] = harness.queue('audit');
      assert.equal(bound?.headers[slotRoutingHeaders.slot], 'blue');
      assert.equal(free?.headers[slotRoutingHeaders.slot], undefined);
      for (const each of [bound, free]) {
        const conversation = each?.envelope?.conversationId ?? '';
        assert.equal(each?.headers[slotRoutingHeaders.bucket], String(conversationBucket(conversation)));
      }
    } finally {
      await harness.stop();
    }
  });

  it('spreads conversations evenly over the hundred buckets', () => {
    const counts = new Array<number>(100).fill(0);
    for (let index = 0; index < 100_000; index++) {
      const bucket = conversationBucket(`0190c1a2-7b3c-7d4e-8f50-${index.toString(16).padStart(12, '0')}`);
      counts[bucket] = (counts[bucket] ?? 0) + 1;
    }
    // 1,000 expected per bucket; a share of 5% must be about 5% of conversations.
    assert.ok(
      Math.min(...counts) > 850 && Math.max(...counts) < 1150,
      `${Math.min(...counts)}..${Math.max(...counts)}`,
    );
  });

  it("finds a message handled in one slot already handled in another: the slots share the endpoint's inbox", async () => {
    const database = new MemoryDatabase();
    const inbox = new MemoryInbox(database);
    const runs = () => database.table('runs', () => new Map<string, number>());
    const inSlot = async (slot: string) => {
      const broker = new MemoryBroker();
      const outbox = new MemoryOutbox(database);
      const { dispatcher, services } = outboxDispatching(broker, outbox);
      return startTestHarness({
        broker,
        services,
        slot,
        endpoints: [
          receiveEndpoint('orders', {
            middleware: [transactional({ transactions: database, outbox, inbox, dispatcher })],
            consumers: [
              consumer(OrderPlaced, (message, context) => {
                const staged = transactionOf<MemoryTransaction>(context).stage(runs());
                staged.set(message.orderId, (staged.get(message.orderId) ?? 0) + 1);
              }),
            ],
          }),
        ],
      });
    };
    const [blue, green] = [await inSlot('blue'), await inSlot('green')];
    try {
      const messageId = uuidv7();
      const body = Buffer.from(
        JSON.stringify({
          messageId,
          messageType: [OrderPlaced.urn],
          message: order('o-9'),
          sentTime: new Date().toISOString(),
        }),
      );
      const copy = { messageId, contentType: massTransitJsonCodec.contentType, body, headers: {} };
      // As a stopped slot's queue is moved to the live slot after its consumer committed but before it acknowledged.
      await blue.transport.send('orders@blue', copy);
      await blue.consumed.waitForCount(OrderPlaced, 1);
      await green.transport.send('orders@green', copy);
      await green.consumed.waitForCount(OrderPlaced, 1);
      assert.equal(runs().get('o-9'), 1);
    } finally {
      await blue.stop();
      await green.stop();
    }
  });

  it('refuses a slot name that cannot name a queue, a policy and a label', () => {
    assert.throws(
      () => createBus({ transport: new MemoryTransport(new MemoryBroker()), slot: 'Blue Slot' }),
      (error: unknown) =>
        error instanceof ConfigurationError && /BusOptions.slot "Blue Slot"/.test(error.message),
    );
  });
});
