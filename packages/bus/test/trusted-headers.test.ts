import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import {
  consumer,
  type Headers,
  MemoryBroker,
  MemoryTransport,
  massTransitJsonCodec,
  receiveEndpoint,
  slotRoutingHeaders,
  startTestHarness,
  transportHeaders,
  uuidv7,
} from '@switchyard/bus';
import pino from 'pino';
import { trustedHeadersContract } from './contract/trusted-headers-contract.ts';
import { OrderAccepted, OrderPlaced, order } from './support/messages.ts';

/** A pino logger whose lines are kept, parsed, for assertions. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

function envelopeBody(message: unknown): Uint8Array {
  return Buffer.from(
    JSON.stringify({
      messageId: uuidv7(),
      messageType: [OrderPlaced.urn],
      message,
      sentTime: new Date().toISOString(),
    }),
  );
}

/** A producer's message to `orders` with transport headers of its own choosing. */
function fromOutside(headers: Headers, orderId = 'o-1') {
  return {
    messageId: uuidv7(),
    contentType: massTransitJsonCodec.contentType,
    body: envelopeBody(order(orderId)),
    headers,
  };
}

describe('redelivery headers from outside the bus', () => {
  it('runs the consumer of a message whose producer says it already completed', async () => {
    const { logger, lines } = capturedLogger();
    let calls = 0;
    const harness = await startTestHarness({
      logger,
      endpoints: [
        receiveEndpoint('orders', {
          consumers: [consumer(OrderPlaced, () => void calls++, { name: 'accept' })],
        }),
      ],
    });
    try {
      const sent = fromOutside({ [transportHeaders.completedConsumers]: 'accept' });
      await harness.transport.send('orders', sent);
      await harness.consumed.waitFor(OrderPlaced);
      assert.equal(calls, 1, 'the consumer ran: a producer cannot mark it done');
      const warnings = lines.filter((line) => line.level === 40 && line.messageId === sent.messageId);
      assert.equal(warnings.length, 1, 'one warning for the message');
      assert.deepEqual(warnings[0]?.ignoredHeaders, [transportHeaders.completedConsumers]);
    } finally {
      await harness.stop();
    }
  });

  it('ignores a redelivery count a fresh message carries, so it gets every redelivery', async () => {
    let calls = 0;
    const harness = await startTestHarness({
      endpoints: [
        receiveEndpoint('orders', {
          retry: { immediate: { limit: 0 }, redelivery: { intervalsMs: [5, 5] } },
          consumers: [
            consumer(OrderPlaced, () => {
              calls += 1;
              throw new Error('stock service down');
            }),
          ],
        }),
      ],
    });
    try {
      await harness.transport.send(
        'orders',
        fromOutside({
          [transportHeaders.redeliveryCount]: 7,
          [transportHeaders.firstAttemptAt]: '2001-01-01T00:00:00.000Z',
          [transportHeaders.redeliveryQueue]: 'orders',
        }),
      );
      await harness.faulted.waitFor(OrderPlaced);
      assert.equal(calls, 3, 'the first delivery and both redeliveries');
      const [moved] = harness.queue('orders_error');
      assert.equal(moved?.headers[transportHeaders.redeliveryCount], 2);
      assert.notEqual(moved?.headers[transportHeaders.firstAttemptAt], '2001-01-01T00:00:00.000Z');
      assert.equal(moved?.headers[transportHeaders.redeliveryQueue], undefined);
      assert.equal(moved?.headers[transportHeaders.completedConsumers], undefined);
    } finally {
      await harness.stop();
    }
  });

  it('drops forged state and stale fault headers from the copy it moves to the error queue', async () => {
    const harness = await startTestHarness({
      endpoints: [
        receiveEndpoint('orders', {
          retry: { immediate: { limit: 0 } },
          consumers: [
            consumer(
              OrderPlaced,
              () => {
                throw new Error('refused');
              },
              { name: 'accept' },
            ),
          ],
        }),
      ],
    });
    try {
      await harness.transport.send(
        'orders',
        fromOutside({
          [transportHeaders.completedConsumers]: 'someone-else',
          [transportHeaders.faultStackTrace]: 'a stack from another failure',
          [transportHeaders.faultMessageType]: 'another.Type',
          [transportHeaders.unsettledDeliveries]: 19,
          'x-tenant': 'north',
        }),
      );
      await harness.faulted.waitFor(OrderPlaced);
      const [moved] = harness.queue('orders_error');
      assert.ok(moved);
      assert.equal(moved.headers[transportHeaders.completedConsumers], undefined);
      assert.equal(moved.headers[transportHeaders.unsettledDeliveries], undefined);
      assert.notEqual(moved.headers[transportHeaders.faultStackTrace], 'a stack from another failure');
      assert.equal(moved.headers[transportHeaders.faultMessageType], OrderPlaced.name);
      assert.equal(moved.headers['x-tenant'], 'north', "the producer's own headers are kept");
    } finally {
      await harness.stop();
    }
  });

  it('trusts the state on its own redeliveries: consumers that succeeded do not run again', async () => {
    const calls = { charge: 0, notify: 0 };
    const redeliveryCounts: number[] = [];
    const harness = await startTestHarness({
      endpoints: [
        receiveEndpoint('billing', {
          retry: { immediate: { limit: 0 }, redelivery: { intervalsMs: [5, 5] } },
          consumers: [
            consumer(OrderPlaced, () => void calls.charge++, { name: 'charge' }),
            consumer(
              OrderPlaced,
              (_message, context) => {
                calls.notify += 1;
                redeliveryCounts.push(context.redeliveryCount);
                if (calls.notify < 3) throw new Error('mail server down');
              },
              { name: 'notify' },
            ),
          ],
        }),
      ],
    });
    try {
      await harness.bus.send('billing', OrderPlaced, order('o-2'));
      await harness.consumed.waitFor(OrderPlaced, (record) => record.consumer === 'notify');
      assert.deepEqual(calls, { charge: 1, notify: 3 });
      assert.deepEqual(redeliveryCounts, [0, 1, 2]);
    } finally {
      await harness.stop();
    }
  });

  it('never passes transport headers of the consumed message on to what its consumer sends', async () => {
    const harness = await startTestHarness({
      endpoints: [
        receiveEndpoint('orders', {
          consumers: [
            consumer(OrderPlaced, async (message, context) => {
              await context.send('billing', OrderAccepted, { orderId: message.orderId });
            }),
          ],
        }),
      ],
    });
    try {
      await harness.transport.send(
        'orders',
        fromOutside({ [transportHeaders.redeliveryCount]: 3, [transportHeaders.completedConsumers]: 'x' }),
      );
      await harness.sent.waitFor(OrderAccepted);
      const [forwarded] = harness.transport.broker.queue('billing')?.peek() ?? [];
      // Only the routing headers the bus makes for every message (the conversation's canary bucket).
      assert.deepEqual(Object.keys(forwarded?.message.headers ?? {}), [slotRoutingHeaders.bucket]);
    } finally {
      await harness.stop();
    }
  });
});

trustedHeadersContract('in-memory', async () => {
  const broker = new MemoryBroker();
  return {
    async connect() {
      const transport = new MemoryTransport(broker);
      await transport.start();
      return transport;
    },
    async dispose() {},
  };
});
