/**
 * RabbitMQ end to end: publish → consume → ack of persistent 1 KB messages with publisher confirms,
 * raw amqplib next to the Switchyard bus on the same broker, same settings (100 publishes in flight,
 * prefetch 100), in the same run, after an unmeasured warm-up round of each. Prints the median
 * messages/s of `runs` rounds for both and the ratio.
 *
 * `measureRabbitMqThroughput` is what the peers table (peers.bench.ts) runs, with other libraries'
 * rounds added to the same rounds.
 *
 *   RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5672 npx node bench/rabbitmq-throughput.bench.ts [messages=10000] [runs=3]
 */
import { consumer, defineMessage, receiveEndpoint } from '@switchyard/bus';
import amqp from 'amqplib';
import { z } from 'zod';
import { withCleanup } from './support/cleanup.ts';
import { countdown, median, type PathRate, runConcurrently } from './support/measure.ts';
import { deleteRabbitMqEntities, rabbitMqUrl as url, withBenchBus } from './support/rabbitmq.ts';

/** Publishes awaiting their confirm at once, and messages held unacknowledged by the consumer. */
export const inFlight = 100;
const warmUpMessages = 2_000;
/** With `{"sequence":…,"payload":…}` around it, a body of about 1 KB. */
export const throughputPayload = 'x'.repeat(1024 - 40);

const Reading = defineMessage(
  'bench.meters.Reading',
  z.object({ sequence: z.number().int(), payload: z.string() }),
);

/** Moves `messages` messages end to end on one path; resolves with the milliseconds it took. */
export type ThroughputRound = (messages: number) => Promise<number>;

/** One round of raw amqplib: its own queue, a confirm channel publishing, a channel consuming. */
export async function rawAmqplibRound(messages: number): Promise<number> {
  const queue = `bench-raw-${process.pid}-${Date.now()}`;
  return withCleanup(
    async () => {
      const connection = await amqp.connect(url);
      const received = countdown(messages);
      // A connection lost mid-round fails the round instead of waiting for messages forever.
      connection.on('error', received.fail);
      connection.on('close', () => received.fail(new Error('RabbitMQ connection closed during the round')));
      try {
        const publisher = await connection.createConfirmChannel();
        const consuming = await connection.createChannel();
        await publisher.assertExchange(queue, 'fanout', { durable: true });
        await publisher.assertQueue(queue, { durable: true });
        await publisher.bindQueue(queue, queue, '');
        await consuming.prefetch(inFlight);
        await consuming.consume(queue, (message) => {
          if (!message) return;
          JSON.parse(message.content.toString());
          consuming.ack(message);
          received.tick();
        });
        const started = performance.now();
        await runConcurrently(messages, inFlight, (sequence) => {
          const body = Buffer.from(JSON.stringify({ sequence, payload: throughputPayload }));
          return new Promise<void>((resolve, reject) =>
            publisher.publish(
              queue,
              '',
              body,
              { persistent: true, contentType: 'application/json' },
              (error) => (error ? reject(error) : resolve()),
            ),
          );
        });
        await received.finished;
        return performance.now() - started;
      } finally {
        connection.removeAllListeners('close');
        connection.on('error', () => {});
        await connection.close().catch(() => {});
      }
    },
    () => deleteRabbitMqEntities(url, { queues: [queue], exchanges: [queue] }),
  );
}

/** One round of the Switchyard bus on RabbitMQ: `bus.send` to an endpoint of its own. */
export async function switchyardRound(messages: number): Promise<number> {
  const received = countdown(messages);
  const endpoint = receiveEndpoint(`bench-yard-${process.pid}-${Date.now()}`, {
    concurrency: inFlight,
    prefetch: inFlight,
    consumers: [consumer(Reading, () => received.tick())],
  });
  return withBenchBus(url, endpoint, async (bus) => {
    const started = performance.now();
    await runConcurrently(messages, inFlight, (sequence) =>
      bus.send(`queue:${endpoint.name}`, Reading, { sequence, payload: throughputPayload }),
    );
    await received.finished;
    return performance.now() - started;
  });
}

/**
 * One unmeasured round of each path, then `runs` rounds of raw amqplib, Switchyard and the `peers`
 * in that order; the median messages/s of each path, raw amqplib first, Switchyard second.
 */
export async function measureRabbitMqThroughput(options: {
  readonly messages: number;
  readonly runs: number;
  readonly peers?: readonly { readonly name: string; readonly round: ThroughputRound }[];
}): Promise<PathRate[]> {
  const paths = [
    { name: 'raw amqplib', round: rawAmqplibRound },
    { name: 'Switchyard bus', round: switchyardRound },
    ...(options.peers ?? []),
  ];
  // One unmeasured round each first, so no path is timed while the JIT is still compiling it.
  for (const path of paths) await path.round(warmUpMessages);
  const times = paths.map((): number[] => []);
  for (let run = 0; run < options.runs; run++) {
    for (const [index, path] of paths.entries()) times[index]?.push(await path.round(options.messages));
  }
  const rate = (elapsed: number) => options.messages / (elapsed / 1000);
  return paths.map((path, index) => ({
    name: path.name,
    perSecond: rate(median(times[index] ?? [])),
    rounds: (times[index] ?? []).map(rate),
  }));
}

if (import.meta.main) {
  const messages = Number(process.argv[2] ?? 10_000);
  const runs = Number(process.argv[3] ?? 3);
  const [raw, yard] = await measureRabbitMqThroughput({ messages, runs });
  const rawRate = raw?.perSecond ?? Number.NaN;
  const yardRate = yard?.perSecond ?? Number.NaN;
  process.stdout.write(
    `RabbitMQ publish → consume → ack, ${messages} persistent 1 KB messages with confirms, ${inFlight} in flight, median of ${runs}\n` +
      `${'path'.padEnd(26)}${'msg/s'.padStart(10)}${'ratio'.padStart(8)}\n` +
      `${'raw amqplib'.padEnd(26)}${rawRate.toFixed(0).padStart(10)}${'1.00'.padStart(8)}\n` +
      `${'Switchyard bus'.padEnd(26)}${yardRate.toFixed(0).padStart(10)}${(yardRate / rawRate).toFixed(2).padStart(8)}\n` +
      `RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB\n`,
  );
}
