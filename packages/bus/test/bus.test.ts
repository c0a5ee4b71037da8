import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  consumer,
  createBus,
  faultOf,
  isUuid,
  MemoryTransport,
  MessageValidationError,
  RequestFaultError,
  RequestTimeoutError,
  receiveEndpoint,
  startTestHarness,
} from '@switchyard/bus';
import { CheckStock, OrderAccepted, OrderPlaced, order, StockLevel } from './support/messages.ts';

describe('publish and send', () => {
  it('publishes to every endpoint with a consumer of the type, and sends to one endpoint only', async () => {
    const harness = await startTestHarness({
      endpoints: [
        receiveEndpoint('billing', { consumers: [consumer(OrderPlaced, () => {}, { name: 'charge' })] }),
        receiveEndpoint('deliveries', { consumers: [consumer(OrderPlaced, () => {}, { name: 'plan' })] }),
      ],
    });
    try {
      await harness.bus.publish(OrderPlaced, order('o-1'));
      await harness.consumed.waitFor(OrderPlaced, (record) => record.endpoint === 'billing');
      await harness.consumed.waitFor(OrderPlaced, (record) => record.endpoint === 'deliveries');

      await harness.bus.send('queue:billing', OrderPlaced, order('o-2'));
      await harness.consumed.waitFor(OrderPlaced, (record) => record.message.orderId === 'o-2');
      await harness.bus.stop();
      const second = harness.consumed
        .ofType(OrderPlaced)
        .filter((record) => record.message.orderId === 'o-2');
      assert.deepEqual(
        second.map((record) => record.endpoint),
        ['billing'],
      );
    } finally {
      await harness.stop();
    }
  });

  it('refuses to publish an invalid message, naming the path and the rule', async () => {
    const harness = await startTestHarness();
    try {
      const bad = { orderId: 'o-1', lines: [{ sku: 'milk', quantity: -1 }] };
      await assert.rejects(harness.bus.publish(OrderPlaced, bad), (error: unknown) => {
        assert.ok(error instanceof MessageValidationError);
        assert.equal(error.code, 'MESSAGE_VALIDATION');
        assert.match(
          error.message,
          /milkround\.orders\.OrderPlaced" failed validation at "lines\[0\]\.quantity"/,
        );
        assert.match(error.message, /got -1/);
        return true;
      });
      assert.equal(harness.published.all().length, 0);
    } finally {
      await harness.stop();
    }
  });

  it('writes a complete envelope and carries the conversation from a consumed message to what it publishes', async () => {
    const harness = await startTestHarness({
      endpoints: [
        receiveEndpoint('orders', {
          consumers: [
            consumer(OrderPlaced, async (message, context) => {
              await context.publish(
                OrderAccepted,
                { orderId: message.orderId },
                { headers: { source: 'test' } },
              );
            }),
          ],
        }),
      ],
    });
    try {
      await harness.bus.publish(OrderPlaced, order('o-9'), {
        correlationId: '0195f3c2-0000-7000-8000-000000000009',
        headers: { 'Switchyard-Slot': 'blue' },
      });
      const placed = await harness.published.waitFor(OrderPlaced);
      const accepted = await harness.published.waitFor(OrderAccepted);

      assert.ok(isUuid(placed.envelope.messageId));
      assert.equal(placed.envelope.conversationId, placed.envelope.messageId, 'a new conversation starts');
      assert.deepEqual(placed.envelope.messageType, ['urn:message:milkround.orders:OrderPlaced']);
      assert.equal(placed.destination, 'milkround.orders:OrderPlaced');
      assert.match(placed.envelope.sourceAddress ?? '', /^loopback:\/\/localhost\/.+_bus_/);
      assert.equal(placed.envelope.destinationAddress, 'loopback://localhost/milkround.orders:OrderPlaced');
      assert.ok(!Number.isNaN(Date.parse(placed.envelope.sentTime)));
      assert.equal(placed.envelope.host?.processId, process.pid);

      assert.equal(accepted.envelope.conversationId, placed.envelope.messageId);
      assert.equal(accepted.envelope.initiatorId, placed.envelope.messageId);
      assert.equal(accepted.envelope.correlationId, '0195f3c2-0000-7000-8000-000000000009');
      assert.equal(
        accepted.envelope.headers['Switchyard-Slot'],
        'blue',
        'the slot flows with the conversation',
      );
      assert.equal(accepted.envelope.headers.source, 'test');
      assert.equal(accepted.envelope.sourceAddress, 'loopback://localhost/orders');
    } finally {
      await harness.stop();
    }
  });
});

describe('request and response', () => {
  const stock = receiveEndpoint('stock', {
    retry: { immediate: { limit: 0 } },
    consumers: [
      consumer(CheckStock, async (message, context) => {
        if (message.sku === 'broken') throw new Error('Stock database unavailable');
        if (message.sku === 'silent') return;
        await context.respond(StockLevel, { sku: message.sku, available: 12 });
      }),
    ],
  });

  it('resolves with the typed response', async () => {
    const harness = await startTestHarness({ endpoints: [stock] });
    try {
      const response = await harness.bus.request(
        CheckStock,
        { sku: 'eggs-6' },
        { responseType: StockLevel, destination: 'queue:stock', timeoutMs: 5_000 },
      );
      assert.deepEqual(response.message, { sku: 'eggs-6', available: 12 });
      const request = await harness.sent.waitFor(CheckStock);
      assert.equal(response.envelope.requestId, request.envelope.requestId);
      assert.equal(response.envelope.conversationId, request.envelope.conversationId);
    } finally {
      await harness.stop();
    }
  });

  it('rejects with the fault when the consumer fails, and the request is in the error queue', async () => {
    const harness = await startTestHarness({ endpoints: [stock] });
    try {
      await assert.rejects(
        harness.bus.request(
          CheckStock,
          { sku: 'broken' },
          { responseType: StockLevel, destination: 'queue:stock' },
        ),
        (error: unknown) => {
          assert.ok(error instanceof RequestFaultError);
          assert.equal(error.fault.exceptions[0]?.message, 'Stock database unavailable');
          assert.deepEqual(error.fault.message, { sku: 'broken' });
          return true;
        },
      );
      assert.equal(harness.queue('stock_error').length, 1);
      assert.equal(
        harness.published.ofType(faultOf(CheckStock)).length,
        0,
        'the fault went to the requester only',
      );
    } finally {
      await harness.stop();
    }
  });

  it('times out while the request is still being sent, without an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    const transport = new MemoryTransport();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // A broker that is down: sends wait for it.
    const send = transport.send.bind(transport);
    transport.send = async (queue, message, options) => {
      await held;
      await send(queue, message, options);
    };
    const bus = createBus({ transport, endpoints: [stock] });
    await bus.start();
    try {
      await assert.rejects(
        bus.request(
          CheckStock,
          { sku: 'slow' },
          { responseType: StockLevel, destination: 'stock', timeoutMs: 100 },
        ),
        RequestTimeoutError,
      );
      release();
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(unhandled, [], 'no rejection went unhandled');
    } finally {
      process.off('unhandledRejection', record);
      await bus.stop();
    }
  });

  it('rejects with a timeout when no response comes', async () => {
    const harness = await startTestHarness({ endpoints: [stock] });
    try {
      await assert.rejects(
        harness.bus.request(
          CheckStock,
          { sku: 'silent' },
          { responseType: StockLevel, destination: 'stock', timeoutMs: 200 },
        ),
        (error: unknown) => error instanceof RequestTimeoutError && error.code === 'REQUEST_TIMEOUT',
      );
    } finally {
      await harness.stop();
    }
  });
});
