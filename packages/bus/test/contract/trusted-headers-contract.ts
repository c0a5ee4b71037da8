import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type Bus,
  consumer,
  createBus,
  type Delivery,
  defineMessage,
  type Headers,
  massTransitJsonCodec,
  type ReceiveEndpointDefinition,
  type RetryPolicy,
  receiveEndpoint,
  type Transport,
  transportHeaders,
  uuidv7,
} from '@switchyard/bus';
import { z } from 'zod';
import { type TransportFixture, waitUntil } from './transport-contract.ts';

const Order = defineMessage('switchyard.tests.TrustedOrder', z.object({ id: z.string() }));

/**
 * The redelivery headers a bus trusts, over a real transport: only what came back through the queue's
 * own redelivery path counts; a producer's copies are ignored and never reach the error queue.
 */
export function trustedHeadersContract(name: string, createFixture: () => Promise<TransportFixture>): void {
  describe(`Headers the bus trusts: ${name}`, () => {
    let fixture: TransportFixture;
    const running: Bus[] = [];
    before(async () => {
      fixture = await createFixture();
    });
    after(async () => {
      for (const bus of running) await bus.stop().catch(() => {});
      await fixture.dispose();
    });

    const start = async (endpoint: ReceiveEndpointDefinition) => {
      const transport = await fixture.connect();
      const bus = createBus({ transport, endpoints: [endpoint] });
      await bus.start();
      running.push(bus);
      return transport;
    };

    it('runs a consumer the producer claims already completed', async () => {
      const queue = unique('completed');
      const handled: string[] = [];
      const transport = await start(
        receiveEndpoint(queue, {
          consumers: [consumer(Order, (order) => void handled.push(order.id), { name: 'accept' })],
        }),
      );
      await transport.send(queue, fromOutside({ [transportHeaders.completedConsumers]: 'accept' }, 'a-1'));
      await waitUntil(() => handled.length === 1, 5_000, 'the consumer to run');
    });

    it('gives a message with a forged redelivery count every redelivery, and keeps the forgery out of the error queue', async () => {
      const queue = unique('count');
      let calls = 0;
      const retry: RetryPolicy = { immediate: { limit: 0 }, redelivery: { intervalsMs: [30, 30] } };
      const transport = await start(
        receiveEndpoint(queue, {
          retry,
          consumers: [
            consumer(Order, () => {
              calls += 1;
              throw new Error('ledger offline');
            }),
          ],
        }),
      );
      const errors = await collect(transport, `${queue}_error`);
      await transport.send(
        queue,
        fromOutside({
          [transportHeaders.redeliveryCount]: 5,
          [transportHeaders.firstAttemptAt]: '2001-01-01T00:00:00.000Z',
          [transportHeaders.redeliveryQueue]: queue,
          [transportHeaders.completedConsumers]: '',
        }),
      );
      await waitUntil(() => errors.length === 1, 10_000, 'the error queue');
      assert.equal(calls, 3, 'the first delivery and both redeliveries');
      const headers = errors[0]?.message.headers ?? {};
      assert.equal(Number(headers[transportHeaders.redeliveryCount]), 2);
      assert.notEqual(headers[transportHeaders.firstAttemptAt], '2001-01-01T00:00:00.000Z');
      assert.equal(headers[transportHeaders.redeliveryQueue], undefined);
      assert.equal(headers[transportHeaders.completedConsumers], undefined);
      await errors[0]?.ack();
    });

    it('trusts what its own redeliveries carry: consumers that succeeded are not run again', async () => {
      const queue = unique('own');
      const calls = { charge: 0, notify: 0 };
      const counts: number[] = [];
      await start(
        receiveEndpoint(queue, {
          retry: { immediate: { limit: 0 }, redelivery: { intervalsMs: [30, 30] } },
          consumers: [
            consumer(Order, () => void calls.charge++, { name: 'charge' }),
            consumer(
              Order,
              (_order, context) => {
                calls.notify += 1;
                counts.push(context.redeliveryCount);
                if (calls.notify < 3) throw new Error('mail server down');
              },
              { name: 'notify' },
            ),
          ],
        }),
      );
      const transport = await fixture.connect();
      await transport.send(queue, fromOutside({}));
      await waitUntil(() => calls.notify === 3, 10_000, 'the third attempt');
      assert.deepEqual(calls, { charge: 1, notify: 3 });
      assert.deepEqual(counts, [0, 1, 2]);
      await transport.close();
    });
  });
}

/** A producer's message with transport headers of its own choosing. */
export function fromOutside(headers: Headers, id = 'o-1') {
  return {
    messageId: uuidv7(),
    contentType: massTransitJsonCodec.contentType,
    body: Buffer.from(
      JSON.stringify({
        messageId: uuidv7(),
        messageType: [Order.urn],
        message: { id },
        sentTime: new Date().toISOString(),
      }),
    ),
    headers,
  };
}

async function collect(transport: Transport, queue: string): Promise<Delivery[]> {
  const deliveries: Delivery[] = [];
  await transport.consume(queue, { prefetch: 10 }, (delivery) => deliveries.push(delivery));
  return deliveries;
}

function unique(label: string): string {
  return `${label}-${Math.random().toString(36).slice(2, 10)}`;
}
