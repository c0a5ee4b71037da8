import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  consumer,
  createBus,
  MemoryBroker,
  MemoryTransport,
  receiveEndpoint,
  transportHeaders,
} from '@switchyard/bus';
import { waitUntil } from './contract/transport-contract.ts';
import { OrderPlaced, order } from './support/messages.ts';

describe('the delivery limit', () => {
  it('moves a message whose consumer keeps killing the process to the error queue after the limit, not before', async () => {
    const broker = new MemoryBroker();
    let calls = 0;
    /** One process: a bus whose consumer never returns, and a transport that dies under it. */
    const crashingProcess = async () => {
      const transport = new MemoryTransport(broker);
      const bus = createBus({
        transport,
        endpoints: [
          receiveEndpoint('orders', {
            retry: { deliveryLimit: 3 },
            consumers: [
              consumer(OrderPlaced, () => {
                calls += 1;
                return new Promise<void>(() => {});
              }),
            ],
          }),
        ],
      });
      await bus.start();
      return { bus, transport };
    };

    const first = await crashingProcess();
    await first.bus.send('orders', OrderPlaced, order('o-poison'));
    let process = first;
    for (let crash = 1; crash <= 3; crash++) {
      await waitUntil(() => calls === crash, 2_000, `delivery ${crash} to reach the consumer`);
      assert.equal(broker.queue('orders_error')?.depth ?? 0, 0, `not in the error queue after ${crash}`);
      await process.transport.close(); // the process dies holding the delivery
      process = await crashingProcess();
    }

    await waitUntil(() => (broker.queue('orders_error')?.depth ?? 0) === 1, 2_000, 'the error queue');
    assert.equal(calls, 3, 'the consumer never saw the fourth delivery');
    const [moved] = broker.queue('orders_error')?.peek() ?? [];
    assert.equal(moved?.message.headers[transportHeaders.faultExceptionType], 'DeliveryLimitExceededError');
    assert.match(
      String(moved?.message.headers[transportHeaders.faultMessage]),
      /delivered 3 times without being settled; the consumer may be crashing the process/,
    );
    assert.equal(broker.queue('orders')?.depth ?? 0, 0);
    await process.transport.close();
  });

  it('does not count requeues: a message put back on purpose is not held against it', async () => {
    const transport = new MemoryTransport(new MemoryBroker());
    await transport.start();
    try {
      const counts: (number | undefined)[] = [];
      await transport.send('probe', {
        messageId: 'm-1',
        contentType: 'text/plain',
        body: Buffer.from('x'),
        headers: {},
      });
      await transport.consume('probe', { prefetch: 1 }, (delivery) => {
        counts.push(delivery.deliveryCount);
        if (counts.length < 3) void delivery.requeue();
        else void delivery.ack();
      });
      await waitUntil(() => counts.length === 3, 2_000, 'three deliveries');
      assert.deepEqual(counts, [1, 1, 1]);
    } finally {
      await transport.close();
    }
  });

  it('rejects a delivery limit below one, naming the endpoint', () => {
    assert.throws(
      () => receiveEndpoint('orders', { retry: { deliveryLimit: 0 }, consumers: [] }),
      /Endpoint "orders" retry.deliveryLimit must be an integer ≥ 1, got 0/,
    );
  });
});
