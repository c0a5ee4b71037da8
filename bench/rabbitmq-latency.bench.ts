/**
 * RabbitMQ publish → consume latency at a fixed rate: raw amqplib and the Switchyard bus each send
 * persistent 1 KB messages with confirms at `rate` msg/s for `seconds`, and the consumer records the
 * time from send to handling. Prints p50/p99 for both and the ratio, in the same run, after an
 * unmeasured second of each.
 *
 * `measureRabbitMqLatency` is what the peers table (peers.bench.ts) runs, with other libraries'
 * rounds added and, there, several rounds a path.
 *
 *   RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5672 npx node bench/rabbitmq-latency.bench.ts [rate=2000] [seconds=5]
 */
import { consumer, defineMessage, receiveEndpoint } from '@switchyard/bus';
import amqp from 'amqplib';
import { z } from 'zod';
import { withCleanup } from './support/cleanup.ts';
import { atFixedRate, countdown, median, percentile } from './support/measure.ts';
import { deleteRabbitMqEntities, rabbitMqUrl as url, withBenchBus } from './support/rabbitmq.ts';

/** With `{"sentAt":…,"payload":…}` around it, a body of about 1 KB. */
export const latencyPayload = 'x'.repeat(1024 - 60);
/** Messages the consumer holds unacknowledged (prefetch) and handles at once (concurrency). */
export const latencyPrefetch = 100;
const Ping = defineMessage('bench.latency.Ping', z.object({ sentAt: z.number(), payload: z.string() }));

/** Sends `total` messages at `rate` a second on one path; resolves with each one's latency in ms. */
export type LatencyRound = (rate: number, total: number) => Promise<number[]>;

/** One path's p50 and p99 in ms (medians over the rounds), and each round's. */
export interface PathLatency {
  readonly name: string;
  readonly p50: number;
  readonly p99: number;
  readonly rounds: readonly { readonly p50: number; readonly p99: number }[];
}

async function raw(rate: number, total: number): Promise<number[]> {
  const queue = `bench-latency-raw-${process.pid}-${Date.now()}`;
  return withCleanup(
    async () => {
      const connection = await amqp.connect(url);
      const finished = countdown(total);
      // A connection lost mid-round fails the round instead of waiting for messages forever.
      connection.on('error', finished.fail);
      connection.on('close', () => finished.fail(new Error('RabbitMQ connection closed during the round')));
      try {
        const publisher = await connection.createConfirmChannel();
        const consuming = await connection.createChannel();
        await publisher.assertQueue(queue, { durable: true });
        await consuming.prefetch(latencyPrefetch);
        const latencies: number[] = [];
        await consuming.consume(queue, (message) => {
          if (!message) return;
          latencies.push(performance.now() - JSON.parse(message.content.toString()).sentAt);
          consuming.ack(message);
          finished.tick();
        });
        await atFixedRate(
          rate,
          total,
          () =>
            new Promise<void>((resolve, reject) =>
              publisher.sendToQueue(
                queue,
                Buffer.from(JSON.stringify({ sentAt: performance.now(), payload: latencyPayload })),
                { persistent: true },
                (error) => (error ? reject(error) : resolve()),
              ),
            ),
        );
        await finished.finished;
        return latencies;
      } finally {
        connection.removeAllListeners('close');
        connection.on('error', () => {});
        await connection.close().catch(() => {});
      }
    },
    () => deleteRabbitMqEntities(url, { queues: [queue], exchanges: [] }),
  );
}

async function switchyard(rate: number, total: number): Promise<number[]> {
  const latencies: number[] = [];
  const finished = countdown(total);
  const endpoint = receiveEndpoint(`bench-latency-yard-${process.pid}-${Date.now()}`, {
    concurrency: latencyPrefetch,
    prefetch: latencyPrefetch,
    consumers: [
      consumer(Ping, (ping) => {
        latencies.push(performance.now() - ping.sentAt);
        finished.tick();
      }),
    ],
  });
  return withBenchBus(url, endpoint, async (bus) => {
    await atFixedRate(rate, total, () =>
      bus.send(`queue:${endpoint.name}`, Ping, { sentAt: performance.now(), payload: latencyPayload }),
    );
    await finished.finished;
    return latencies;
  });
}

/**
 * One unmeasured second of each path, then `runs` rounds of `total` messages at `rate` msg/s: raw
 * amqplib, Switchyard and the `peers` in that order. Raw amqplib first, Switchyard second.
 */
export async function measureRabbitMqLatency(options: {
  readonly rate: number;
  readonly total: number;
  readonly runs: number;
  readonly peers?: readonly { readonly name: string; readonly round: LatencyRound }[];
}): Promise<PathLatency[]> {
  const paths = [
    { name: 'raw amqplib', round: raw },
    { name: 'Switchyard bus', round: switchyard },
    ...(options.peers ?? []),
  ];
  // One unmeasured second of each first, so no path is timed while the JIT is still compiling it.
  for (const path of paths) await path.round(options.rate, options.rate);
  const rounds = paths.map((): { p50: number; p99: number }[] => []);
  for (let run = 0; run < options.runs; run++) {
    for (const [index, path] of paths.entries()) {
      const latencies = await path.round(options.rate, options.total);
      rounds[index]?.push({ p50: percentile(latencies, 50), p99: percentile(latencies, 99) });
    }
  }
  return paths.map((path, index) => {
    const own = rounds[index] ?? [];
    return {
      name: path.name,
      p50: median(own.map((round) => round.p50)),
      p99: median(own.map((round) => round.p99)),
      rounds: own,
    };
  });
}

if (import.meta.main) {
  const rate = Number(process.argv[2] ?? 2_000);
  const seconds = Number(process.argv[3] ?? 5);
  const [rawLatency, yardLatency] = await measureRabbitMqLatency({ rate, total: rate * seconds, runs: 1 });
  const row = (name: string, latency: PathLatency | undefined) =>
    `${name.padEnd(18)}${(latency?.p50 ?? Number.NaN).toFixed(2).padStart(10)}${(latency?.p99 ?? Number.NaN).toFixed(2).padStart(10)}`;
  const ratio = (key: 'p50' | 'p99') =>
    ((yardLatency?.[key] ?? Number.NaN) / (rawLatency?.[key] ?? Number.NaN)).toFixed(2);
  process.stdout.write(
    `RabbitMQ latency at ${rate} msg/s for ${seconds} s, persistent 1 KB messages with confirms (ms)\n` +
      `${'path'.padEnd(18)}${'p50'.padStart(10)}${'p99'.padStart(10)}\n` +
      `${row('raw amqplib', rawLatency)}\n${row('Switchyard bus', yardLatency)}\n` +
      `ratio p50 ${ratio('p50')}, p99 ${ratio('p99')}; RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB\n`,
  );
}
