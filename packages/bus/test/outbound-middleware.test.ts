import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  consumer,
  envelopeHeaders,
  faultOf,
  MemoryBroker,
  MemoryDatabase,
  MemoryOutbox,
  MemoryScheduler,
  type MemoryTransaction,
  massTransitJsonCodec,
  type OutboundInput,
  type OutboundMiddleware,
  receiveEndpoint,
  startTestHarness,
  type Transport,
  transactional,
  transactionOf,
} from '@switchyard/bus';
import { CheckStock, OrderAccepted, OrderPlaced, order, StockLevel } from './support/messages.ts';
import { outboxDispatching } from './support/outbox-dispatching.ts';

/** Outbound middleware that stamps `name` on every message it sees, after what earlier ones stamped. */
function stamp(name: string, seen: string[] = []): OutboundMiddleware {
  return async (input, next) => {
    const before = input.headers['X-Stamped-By'];
    input.headers['X-Stamped-By'] = typeof before === 'string' ? `${before},${name}` : name;
    seen.push(`${name} before`);
    await next();
    seen.push(`${name} after`);
  };
}

const ordersEndpoint = () =>
  receiveEndpoint('orders', {
    retry: { immediate: { limit: 0 } },
    consumers: [consumer(OrderPlaced, () => {})],
  });

describe('outbound middleware', () => {
  it('stamps a header that the consumer finds on the envelope it receives (memory transport)', async () => {
    const harness = await startTestHarness({ endpoints: [ordersEndpoint()], outbound: [stamp('gateway')] });
    try {
      await harness.bus.publish(OrderPlaced, order('o-1'));
      const consumed = await harness.consumed.waitFor(OrderPlaced);
      assert.equal(consumed.envelope.headers['X-Stamped-By'], 'gateway');
    } finally {
      await harness.stop();
    }
  });

  it('runs several in the order given, each around the next, and the send inside them all', async () => {
    const seen: string[] = [];
    const harness = await startTestHarness({
      endpoints: [ordersEndpoint()],
      outbound: [stamp('first', seen), stamp('second', seen)],
    });
    try {
      await harness.bus.send('orders', OrderPlaced, order('o-2'));
      // Resolved only once the message was handed to the transport: both have run their "after".
      assert.deepEqual(seen, ['first before', 'second before', 'second after', 'first after']);
      assert.equal(harness.sent.ofType(OrderPlaced).length, 1);
      const consumed = await harness.consumed.waitFor(OrderPlaced);
      assert.equal(consumed.envelope.headers['X-Stamped-By'], 'first,second');
    } finally {
      await harness.stop();
    }
  });

  it('fails the publish with the error a middleware throws or rejects with, and sends nothing', async () => {
    const refusal = new Error('Tenant header missing; set X-Tenant before publishing');
    const throwsAtOnce: OutboundMiddleware = () => {
      throw refusal;
    };
    const rejects: OutboundMiddleware = async () => {
      throw refusal;
    };
    for (const refuse of [throwsAtOnce, rejects]) {
      const harness = await startTestHarness({ endpoints: [ordersEndpoint()], outbound: [refuse] });
      try {
        await assert.rejects(harness.bus.publish(OrderPlaced, order('o-3')), (error) => error === refusal);
        await assert.rejects(
          harness.bus.send('orders', OrderPlaced, order('o-3')),
          (error) => error === refusal,
        );
        await assert.rejects(
          harness.bus.request(OrderPlaced, order('o-3'), { responseType: OrderAccepted, timeoutMs: 5_000 }),
          (error) => error === refusal,
        );
        assert.equal(
          harness.published.ofType(OrderPlaced).length + harness.sent.ofType(OrderPlaced).length,
          0,
        );
      } finally {
        await harness.stop();
      }
    }
  });

  it('fails a consumer whose publish a middleware refuses, so its message goes to the error queue', async () => {
    const refuseAccepted: OutboundMiddleware = async (input, next) => {
      if (input.messageType === OrderAccepted) throw new Error('billing is closed');
      await next();
    };
    const harness = await startTestHarness({
      outbound: [refuseAccepted],
      endpoints: [
        receiveEndpoint('orders', {
          retry: { immediate: { limit: 0 } },
          consumers: [consumer(OrderPlaced, (message, context) => context.publish(OrderAccepted, message))],
        }),
      ],
    });
    try {
      await harness.bus.publish(OrderPlaced, order('o-4'));
      const faulted = await harness.faulted.waitFor(OrderPlaced);
      assert.equal((faulted.error as Error).message, 'billing is closed');
      assert.equal(harness.published.ofType(OrderAccepted).length, 0);
    } finally {
      await harness.stop();
    }
  });

  it('runs for send, request, respond, scheduleSend and faults, telling each what it is and what caused it', async () => {
    const inputs: OutboundInput[] = [];
    const record: OutboundMiddleware = (input, next) => {
      inputs.push(input);
      return next();
    };
    const harness = await startTestHarness({
      outbound: [record],
      scheduler: new MemoryScheduler(),
      endpoints: [
        receiveEndpoint('stock', {
          consumers: [
            consumer(CheckStock, (message, context) =>
              context.respond(StockLevel, { sku: message.sku, available: 3 }),
            ),
          ],
        }),
        receiveEndpoint('orders', {
          retry: { immediate: { limit: 0 } },
          consumers: [
            consumer(OrderPlaced, () => {
              throw new Error('out of milk');
            }),
          ],
        }),
      ],
    });
    try {
      await harness.bus.request(
        CheckStock,
        { sku: 'eggs-6' },
        { responseType: StockLevel, destination: 'stock' },
      );
      await harness.bus.scheduleSend('orders', new Date(), OrderPlaced, order('o-5'));
      await harness.faulted.waitFor(OrderPlaced);
      await harness.published.waitFor(faultOf(OrderPlaced));
      const seen = inputs.map((each) => `${each.kind} ${each.messageType.name} → ${each.destination}`);
      assert.ok(seen[0]?.startsWith('send milkround.stock.CheckStock → stock'), seen.join('; '));
      assert.match(seen[1] ?? '', /^send milkround\.stock\.StockLevel → /, 'the response');
      assert.equal(seen[2], 'send milkround.orders.OrderPlaced → orders', 'the scheduled send');
      assert.match(seen[3] ?? '', /^publish .*Fault.* → /, 'the fault');
      const [request, response, scheduled, fault] = inputs;
      assert.equal(request?.context, undefined);
      assert.equal(response?.context?.consumer, 'milkround.stock.CheckStock');
      assert.equal(response?.parent?.messageId, request?.envelope.messageId);
      assert.equal(scheduled?.parent, undefined);
      assert.equal(fault?.parent?.messageId, scheduled?.envelope.messageId);
    } finally {
      await harness.stop();
    }
  });

  it('still sends the fault of a failed message when a middleware refuses it, with the bus stamps alone', async () => {
    const refuseFaults: OutboundMiddleware = async (input, next) => {
      if (input.messageType === faultOf(OrderPlaced)) throw new Error('faults are not welcome here');
      input.headers['X-Stamped-By'] = 'app';
      await next();
    };
    const harness = await startTestHarness({
      outbound: [refuseFaults],
      endpoints: [
        receiveEndpoint('orders', {
          retry: { immediate: { limit: 0 } },
          consumers: [
            consumer(OrderPlaced, () => {
              throw new Error('out of milk');
            }),
          ],
        }),
      ],
    });
    try {
      await harness.bus.publish(OrderPlaced, order('o-8'));
      const fault = await harness.published.waitFor(faultOf(OrderPlaced));
      assert.equal(fault.envelope.headers['X-Stamped-By'], undefined);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(
        harness.queue('orders_error').length,
        1,
        'moved to the error queue once, not again and again',
      );
    } finally {
      await harness.stop();
    }
  });

  it('stamps what a consumer publishes before the outbox stores it, so the stored and sent message carry it', async () => {
    const database = new MemoryDatabase();
    const outbox = new MemoryOutbox(database);
    const broker = new MemoryBroker();
    const fromOutbox: Uint8Array[] = [];
    const { dispatcher, services } = outboxDispatching(broker, outbox, {
      wrap: (transport) =>
        Object.assign(Object.create(transport) as Transport, {
          publish: async (exchange: string, message: Parameters<Transport['publish']>[1]) => {
            fromOutbox.push(message.body);
            await transport.publish(exchange, message);
          },
        }),
    });
    let insideTransaction: boolean | undefined;
    const stampInTransaction: OutboundMiddleware = async (input, next) => {
      if (input.context) insideTransaction = transactionOf<MemoryTransaction>(input.context) !== undefined;
      input.headers['X-Stamped-By'] = 'slots';
      await next();
    };
    const harness = await startTestHarness({
      broker,
      services,
      outbound: [stampInTransaction],
      endpoints: [
        receiveEndpoint('orders', {
          middleware: [transactional({ transactions: database, outbox, dispatcher })],
          consumers: [consumer(OrderPlaced, (message, context) => context.publish(OrderAccepted, message))],
        }),
        receiveEndpoint('billing', { consumers: [consumer(OrderAccepted, () => {})] }),
      ],
    });
    try {
      await harness.bus.publish(OrderPlaced, order('o-6'));
      const accepted = await harness.consumed.waitFor(OrderAccepted);
      assert.equal(
        insideTransaction,
        true,
        'ran inside the consumer transaction, before the outbox stored it',
      );
      assert.equal(accepted.envelope.headers['X-Stamped-By'], 'slots');
      assert.equal(fromOutbox.length, 1);
      const stored = massTransitJsonCodec.decode(fromOutbox[0] as Uint8Array);
      assert.equal(stored.headers['X-Stamped-By'], 'slots');
      assert.equal(stored.messageId, accepted.envelope.messageId);
    } finally {
      await harness.stop();
    }
  });

  it('keeps the slot of the consumed message on what its consumer produces, unless the producer set one', async () => {
    const harness = await startTestHarness({
      endpoints: [
        receiveEndpoint('orders', {
          consumers: [
            consumer(OrderPlaced, async (message, context) => {
              await context.publish(OrderAccepted, message);
              await context.send('billing', OrderAccepted, message, {
                headers: { [envelopeHeaders.slot]: 'green' },
              });
            }),
          ],
        }),
        receiveEndpoint('billing', { consumers: [consumer(OrderAccepted, () => {})] }),
      ],
    });
    try {
      await harness.bus.publish(OrderPlaced, order('o-7'), { headers: { [envelopeHeaders.slot]: 'blue' } });
      const [first, second] = await harness.consumed.waitForCount(OrderAccepted, 2);
      const slots = [first, second].map((each) => each?.envelope.headers[envelopeHeaders.slot]).sort();
      assert.deepEqual(slots, ['blue', 'green']);
    } finally {
      await harness.stop();
    }
  });
});
