/**
 * RabbitMQ publish → consume latency at a fixed rate: raw amqplib and the Switchyard bus each send
 * persistent 1 KB messages with confirms at `rate` msg/s for `seconds`, and the consumer records the
 * time from send to handling. Prints p50/p99 for both and the ratio, in the same run, after an
 * unmeasured second of each.
 *
 *   RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5672 npx node bench/rabbitmq-latency.bench.ts [rate=2000] [seconds=5]
 */
import { consumer, createBus, defineMessage, receiveEndpoint } from '@switchyard/bus';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import amqp from 'amqplib';
import { z } from 'zod';
import { atFixedRate, percentile } from './support/measure.ts';

const url = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const rate = Number(process.argv[2] ?? 2_000);
const seconds = Number(process.argv[3] ?? 5);
const total = rate * seconds;
const payload = 'x'.repeat(1024 - 60);
const Ping = defineMessage('bench.latency.Ping', z.object({ sentAt: z.number(), payload: z.string() }));

async function raw(total: number): Promise<number[]> {
  const queue = `bench-latency-raw-${process.pid}-${Date.now()}`;
  const connection = await amqp.connect(url);
  const publisher = await connection.createConfirmChannel();
  const consuming = await connection.createChannel();
  await publisher.assertQueue(queue, { durable: true });
  await consuming.prefetch(100);
  const latencies: number[] = [];
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  await consuming.consume(queue, (message) => {
    if (!message) return;
    latencies.push(performance.now() - JSON.parse(message.content.toString()).sentAt);
    consuming.ack(message);
    if (latencies.length === total) done();
  });
  await atFixedRate(
    rate,
    total,
    () =>
      new Promise<void>((resolve, reject) =>
        publisher.sendToQueue(
          queue,
          Buffer.from(JSON.stringify({ sentAt: performance.now(), payload })),
          { persistent: true },
          (error) => (error ? reject(error) : resolve()),
        ),
      ),
  );
  await finished;
  await publisher.deleteQueue(queue);
  await connection.close();
  return latencies;
}

async function switchyard(total: number): Promise<number[]> {
  const endpoint = `bench-latency-yard-${process.pid}-${Date.now()}`;
  const latencies: number[] = [];
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const bus = createBus({
    transport: new RabbitMqTransport({ url }),
    endpoints: [
      receiveEndpoint(endpoint, {
        concurrency: 100,
        prefetch: 100,
        consumers: [
          consumer(Ping, (ping) => {
            latencies.push(performance.now() - ping.sentAt);
            if (latencies.length === total) done();
          }),
        ],
      }),
    ],
  });
  await bus.start();
  await atFixedRate(rate, total, () =>
    bus.send(`queue:${endpoint}`, Ping, { sentAt: performance.now(), payload }),
  );
  await finished;
  await bus.stop();
  const cleanup = await amqp.connect(url);
  const channel = await cleanup.createChannel();
  for (const name of [endpoint, `${endpoint}_error`, `${endpoint}_skipped`]) {
    await channel.deleteQueue(name);
    await channel.deleteExchange(name);
  }
  await channel.deleteExchange(Ping.entityName);
  await cleanup.close();
  return latencies;
}

// One unmeasured second of each first, so neither path is timed while the JIT is still compiling it.
await raw(rate);
await switchyard(rate);
const rawLatencies = await raw(total);
const yardLatencies = await switchyard(total);
const row = (name: string, values: number[]) =>
  `${name.padEnd(18)}${percentile(values, 50).toFixed(2).padStart(10)}${percentile(values, 99).toFixed(2).padStart(10)}`;
process.stdout.write(
  `RabbitMQ latency at ${rate} msg/s for ${seconds} s, persistent 1 KB messages with confirms (ms)\n` +
    `${'path'.padEnd(18)}${'p50'.padStart(10)}${'p99'.padStart(10)}\n` +
    `${row('raw amqplib', rawLatencies)}\n${row('Switchyard bus', yardLatencies)}\n` +
    `ratio p50 ${(percentile(yardLatencies, 50) / percentile(rawLatencies, 50)).toFixed(2)}, p99 ${(percentile(yardLatencies, 99) / percentile(rawLatencies, 99)).toFixed(2)}; RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB\n`,
);
