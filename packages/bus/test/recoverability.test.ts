import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  consumer,
  createBus,
  faultOf,
  MemoryTransport,
  massTransitJsonCodec,
  receiveEndpoint,
  startTestHarness,
  transportHeaders,
  uuidv7,
} from '@switchyard/bus';
import { DriverEvent, OrderAccepted, OrderPlaced, order } from './support/messages.ts';

class StockUnavailable extends Error {}
class PriceMissing extends Error {}

describe('recoverability', () => {
  it('retries immediately and publishes only what the successful attempt produced', async () => {
    let calls = 0;
    const harness = await startTestHarness({
      endpoints: [
        receiveEndpoint('orders', {
          retry: { immediate: { limit: 3, intervalsMs: [5], jitter: 0.5 } },
          consumers: [
            consumer(OrderPlaced, async (message, context) => {
              calls += 1;
              await context.publish(OrderAccepted, {
                orderId: `${message.orderId}/attempt-${context.attempt}`,
              });
              if (calls < 3) throw new StockUnavailable('stock service timed out');
            }),
          ],
        }),
      ],
    });
    try {
      await harness.bus.publish(OrderPlaced, order('o-1'));
      const consumed = await harness.consumed.waitFor(OrderPlaced);
      assert.equal(consumed.attempt, 3);
      await harness.published.waitFor(OrderAccepted);
      assert.deepEqual(
        harness.published.ofType(OrderAccepted).map((record) => record.message.orderId),
        ['o-1/attempt-3'],
      );
      assert.equal(harness.queue('orders_error').length, 0);
    } finally {
      await harness.stop();
    }
  });

  it("takes the bus's retry policy where an endpoint sets none, and keeps an endpoint's own", async () => {
    const calls = { orders: 0, billing: 0 };
    const failing = (endpoint: keyof typeof calls) =>
      consumer(OrderPlaced, () => {
        calls[endpoint] += 1;
        throw new StockUnavailable('database restarting');
      });
    const harness = await startTestHarness({
      retry: { immediate: { limit: 1, intervalsMs: [1] }, redelivery: { intervalsMs: [10] } },
      endpoints: [
        receiveEndpoint('orders', { consumers: [failing('orders')] }),
        receiveEndpoint('billing', { retry: { immediate: { limit: 0 } }, consumers: [failing('billing')] }),
      ],
    });
    try {
      await harness.bus.publish(OrderPlaced, order('o-9'));
      await harness.faulted.waitFor(OrderPlaced, (record) => record.endpoint === 'orders');
      await harness.faulted.waitFor(OrderPlaced, (record) => record.endpoint === 'billing');
      assert.equal(calls.orders, 4, "the bus's policy: 2 attempts in each of 2 deliveries");
      assert.equal(calls.billing, 1, "the endpoint's own policy: one attempt, no redelivery");
    } finally {
      await harness.stop();
    }
  });

  it('rejects a bus retry policy that cannot work, naming it', () => {
    assert.throws(
      () => createBus({ transport: new MemoryTransport(), retry: { redelivery: { intervalsMs: [0] } } }),
      /BusOptions retry\.redelivery\.intervalsMs\[0\] must be a number > 0, got 0/,
    );
  });

  it('redelivers after delays, then moves the message to the error queue with fault headers and publishes a Fault', async () => {
    let calls = 0;
    const harness = await startTestHarness({
      endpoints: [
        receiveEndpoint('orders', {
          retry: { immediate: { limit: 1, intervalsMs: [1] }, redelivery: { intervalsMs: [20, 40] } },
          consumers: [
            consumer(
              OrderPlaced,
              () => {
                calls += 1;
                throw new StockUnavailable('no milk left', { cause: new Error('warehouse offline') });
              },
              { name: 'reserve-stock' },
            ),
          ],
        }),
      ],
    });
    try {
      await harness.bus.publish(OrderPlaced, order('o-2'));
      const fault = await harness.published.waitFor(faultOf(OrderPlaced));
      assert.equal(calls, 6, '2 attempts in each of 3 deliveries');

      const [errored] = harness.queue('orders_error');
      assert.ok(errored?.envelope, 'the original message is in the error queue');
      assert.deepEqual(errored.envelope.message, order('o-2'));
      const headers = errored.headers;
      assert.equal(headers[transportHeaders.reason], 'fault');
      assert.equal(headers[transportHeaders.faultExceptionType], 'StockUnavailable');
      assert.equal(headers[transportHeaders.faultMessage], 'no milk left');
      assert.match(String(headers[transportHeaders.faultStackTrace]), /recoverability\.test\.ts/);
      assert.equal(headers[transportHeaders.faultConsumerType], 'reserve-stock');
      assert.equal(headers[transportHeaders.faultMessageType], 'milkround.orders.OrderPlaced');
      assert.equal(headers[transportHeaders.faultRetryCount], 1);
      assert.equal(headers[transportHeaders.redeliveryCount], 2);
      assert.equal(headers['MT-Fault-RedeliveryCount'], 2);
      assert.equal(headers['MT-Fault-InputAddress'], 'loopback://localhost/orders');
      assert.equal(headers[transportHeaders.sourceQueue], 'orders');
      assert.equal(headers[transportHeaders.hostProcessId], process.pid);
      assert.ok(
        Date.parse(String(headers[transportHeaders.firstAttemptAt])) <=
          Date.parse(String(headers[transportHeaders.faultTimestamp])),
      );

      assert.equal(fault.message.faultedMessageId, errored.envelope.messageId);
      assert.equal(fault.message.exceptions[0]?.message, 'no milk left');
      assert.equal(fault.message.exceptions[0]?.innerException?.message, 'warehouse offline');
      assert.deepEqual(fault.message.message, order('o-2'));
      assert.deepEqual(fault.envelope.messageType, [
        'urn:message:MassTransit:Fault[[milkround.orders:OrderPlaced]]',
        'urn:message:MassTransit:Fault',
      ]);
      assert.equal(fault.envelope.conversationId, errored.envelope.conversationId);
    } finally {
      await harness.stop();
    }
  });

  it('sends errors of ignored classes, and of classes not handled, straight to the error queue', async () => {
    const calls = new Map<string, number>();
    const failWith = (error: Error) => (message: { orderId: string }) => {
      calls.set(message.orderId, (calls.get(message.orderId) ?? 0) + 1);
      throw error;
    };
    const harness = await startTestHarness({
      endpoints: [
        receiveEndpoint('ignoring', {
          retry: { immediate: { limit: 3 }, ignore: [PriceMissing] },
          consumers: [consumer(OrderPlaced, failWith(new PriceMissing('no price for milk-1l')))],
        }),
        receiveEndpoint('handling', {
          retry: { immediate: { limit: 3 }, handle: [StockUnavailable] },
          consumers: [consumer(OrderAccepted, failWith(new PriceMissing('no price')))],
        }),
      ],
    });
    try {
      await harness.bus.send('ignoring', OrderPlaced, order('a'));
      await harness.bus.send('handling', OrderAccepted, { orderId: 'b' });
      await harness.faulted.waitFor(OrderPlaced);
      await harness.faulted.waitFor(OrderAccepted);
      assert.equal(calls.get('a'), 1);
      assert.equal(calls.get('b'), 1);
    } finally {
      await harness.stop();
    }
  });

  it('sends a message that fails validation to the error queue without calling the consumer', async () => {
    let calls = 0;
    const harness = await startTestHarness({
      endpoints: [
        receiveEndpoint('orders', {
          retry: { immediate: { limit: 5 }, redelivery: { intervalsMs: [10] } },
          consumers: [consumer(OrderPlaced, () => void calls++)],
        }),
      ],
    });
    try {
      const body = envelopeBody(OrderPlaced.urn, { orderId: 'o-3', lines: [{ sku: 'milk', quantity: 0 }] });
      await harness.transport.send('orders', {
        messageId: uuidv7(),
        contentType: massTransitJsonCodec.contentType,
        body,
        headers: {},
      });
      const fault = await harness.published.waitFor(faultOf(OrderPlaced));
      assert.equal(calls, 0);
      const [errored] = harness.queue('orders_error');
      assert.equal(errored?.headers[transportHeaders.faultExceptionType], 'MessageValidationError');
      assert.match(
        String(errored?.headers[transportHeaders.faultMessage]),
        /at "lines\[0\]\.quantity".*got 0/,
      );
      assert.equal(errored?.headers[transportHeaders.faultRetryCount], 0);
      assert.deepEqual(fault.message.message, { orderId: 'o-3', lines: [{ sku: 'milk', quantity: 0 }] });
    } finally {
      await harness.stop();
    }
  });

  it('moves a message of a type no consumer here handles to the skipped queue', async () => {
    const harness = await startTestHarness({
      endpoints: [receiveEndpoint('orders', { consumers: [consumer(OrderPlaced, () => {})] })],
    });
    try {
      await harness.bus.send('orders', DriverEvent, { deliveryId: 'd-1', sequence: 1 });
      await harness.skipped.waitFor(DriverEvent);
      const [skipped] = harness.queue('orders_skipped');
      assert.equal(skipped?.headers[transportHeaders.reason], 'dead-letter');
      assert.deepEqual(skipped?.envelope?.message, { deliveryId: 'd-1', sequence: 1 });
    } finally {
      await harness.stop();
    }
  });

  it('moves an expired message to the skipped queue instead of handling it', async () => {
    let calls = 0;
    const harness = await startTestHarness({
      endpoints: [receiveEndpoint('orders', { consumers: [consumer(OrderPlaced, () => void calls++)] })],
    });
    try {
      const body = envelopeBody(OrderPlaced.urn, order('late'), { expirationTime: '2020-01-01T00:00:00Z' });
      await harness.transport.send('orders', {
        messageId: uuidv7(),
        contentType: massTransitJsonCodec.contentType,
        body,
        headers: {},
      });
      await harness.skipped.waitFor(OrderPlaced);
      assert.equal(calls, 0);
      assert.equal(harness.queue('orders_skipped')[0]?.headers[transportHeaders.reason], 'expired');
    } finally {
      await harness.stop();
    }
  });

  it('keeps a poison message from blocking the queue: it goes to the error queue and the rest are handled', async () => {
    const handled: string[] = [];
    const harness = await startTestHarness({
      endpoints: [
        receiveEndpoint('orders', {
          concurrency: 1,
          consumers: [consumer(OrderPlaced, (message) => void handled.push(message.orderId))],
        }),
      ],
    });
    try {
      const contentType = massTransitJsonCodec.contentType;
      const send = (body: Uint8Array, type = contentType) =>
        harness.transport.send('orders', { messageId: uuidv7(), contentType: type, body, headers: {} });
      await send(envelopeBody(OrderPlaced.urn, order('before')));
      await send(Buffer.from('{"messageId": "x", "message": {'));
      await send(Buffer.from('plain text'), 'text/plain');
      await send(Buffer.from(JSON.stringify({ messageId: 'y', message: {} })));
      await send(envelopeBody(OrderPlaced.urn, order('after')));

      await harness.consumed.waitFor(OrderPlaced, (record) => record.message.orderId === 'after');
      assert.deepEqual(handled, ['before', 'after']);
      const errors = harness.queue('orders_error');
      assert.equal(errors.length, 3);
      assert.deepEqual(
        errors.map((each) => each.headers[transportHeaders.faultExceptionType]),
        ['EnvelopeDecodeError', 'EnvelopeDecodeError', 'EnvelopeDecodeError'],
      );
      assert.match(String(errors[0]?.headers[transportHeaders.faultMessage]), /not valid JSON/);
      assert.match(
        String(errors[1]?.headers[transportHeaders.faultMessage]),
        /No codec reads content type "text\/plain"/,
      );
      assert.match(
        String(errors[2]?.headers[transportHeaders.faultMessage]),
        /"messageType" must be a non-empty array/,
      );
      assert.equal(
        Buffer.from(errors[1]?.body ?? []).toString(),
        'plain text',
        'the body is kept byte for byte',
      );
    } finally {
      await harness.stop();
    }
  });

  it('on redelivery runs only the consumers that had not yet succeeded', async () => {
    const calls = { charge: 0, notify: 0 };
    const harness = await startTestHarness({
      endpoints: [
        receiveEndpoint('billing', {
          retry: { immediate: { limit: 0 }, redelivery: { intervalsMs: [10] } },
          consumers: [
            consumer(OrderPlaced, () => void calls.charge++, { name: 'charge' }),
            consumer(
              OrderPlaced,
              () => {
                calls.notify += 1;
                if (calls.notify === 1) throw new Error('mail server down');
              },
              { name: 'notify' },
            ),
          ],
        }),
      ],
    });
    try {
      await harness.bus.publish(OrderPlaced, order('o-7'));
      await harness.consumed.waitFor(OrderPlaced, (record) => record.consumer === 'notify');
      assert.deepEqual(calls, { charge: 1, notify: 2 });
    } finally {
      await harness.stop();
    }
  });
});

function envelopeBody(urn: string, message: unknown, extra: Record<string, unknown> = {}): Uint8Array {
  return Buffer.from(
    JSON.stringify({
      messageId: uuidv7(),
      messageType: [urn],
      message,
      sentTime: new Date().toISOString(),
      ...extra,
    }),
  );
}
