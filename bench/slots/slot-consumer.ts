/**
 * A consumer process for the slots benchmark (bench/slots-switch.bench.ts), so that handling runs
 * outside the process that sends and switches, as a slot's processes would. CONSUMER=slot runs a
 * Switchyard bus in slot SLOT consuming endpoint ENDPOINT (its queue `<ENDPOINT>@<SLOT>`);
 * CONSUMER=raw consumes queue ENDPOINT with amqplib alone and acknowledges each message. Either way
 * it records, for each message, its sequence number and the time it was handled, on the system's
 * monotonic clock (the sender's clock too), and sends them to the parent over IPC every 100 ms.
 * The parent sends "stop": it flushes, stops consuming and exits.
 */
import { consumer, createBus, defineMessage, receiveEndpoint } from '@switchyard/bus';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import amqp from 'amqplib';
import { z } from 'zod';
import { monotonicMs } from './monotonic-clock.ts';

export const SlotPing = defineMessage(
  'bench.slots.Ping',
  z.object({ seq: z.number().int(), sentAt: z.number(), payload: z.string() }),
);
/** Prefetch and concurrency of both consumers, as in the fixed-rate latency benchmark. */
export const slotConsumerPrefetch = 100;

/** What a consumer process sends its parent: handled messages as [seq, handledAt, seq, handledAt, …]. */
export type ConsumerReport =
  | { readonly ready: true }
  | { readonly handled: readonly number[] }
  | { readonly stopped: true };

if (import.meta.main) {
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  const url = env('RABBITMQ_URL');
  const endpointName = env('ENDPOINT');
  let handled: number[] = [];
  const flush = () => {
    if (handled.length === 0) return;
    process.send?.({ handled } satisfies ConsumerReport);
    handled = [];
  };
  const flushing = setInterval(flush, 100);
  let stop: () => Promise<void>;
  if (env('CONSUMER') === 'raw') {
    const connection = await amqp.connect(url);
    const channel = await connection.createChannel();
    await channel.assertQueue(endpointName, { durable: true });
    await channel.prefetch(slotConsumerPrefetch);
    await channel.consume(endpointName, (message) => {
      if (!message) return;
      handled.push(JSON.parse(message.content.toString()).seq, monotonicMs());
      channel.ack(message);
    });
    stop = () => connection.close();
  } else {
    const bus = createBus({
      transport: new RabbitMqTransport({ url }),
      slot: env('SLOT'),
      endpoints: [
        receiveEndpoint(endpointName, {
          concurrency: slotConsumerPrefetch,
          prefetch: slotConsumerPrefetch,
          consumers: [
            consumer(SlotPing, (ping) => {
              handled.push(ping.seq, monotonicMs());
            }),
          ],
        }),
      ],
    });
    await bus.start();
    stop = () => bus.stop();
  }
  process.send?.({ ready: true } satisfies ConsumerReport);
  process.on('message', (message) => {
    if (message !== 'stop') return;
    void stop()
      .catch(() => {})
      .finally(() => {
        clearInterval(flushing);
        // The last batch, then "stopped": the parent knows it has everything once that arrives.
        flush();
        process.send?.({ stopped: true } satisfies ConsumerReport, () => process.disconnect?.());
      });
  });
}
