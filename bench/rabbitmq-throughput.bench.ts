/**
 * RabbitMQ end to end: publish → consume → ack of persistent 1 KB messages with publisher confirms,
 * raw amqplib next to the Switchyard bus on the same broker, same settings (100 publishes in flight,
 * prefetch 100), in the same run, after an unmeasured warm-up round of each. Prints the median
 * messages/s of `runs` rounds for both and the ratio.
 *
 *   RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5672 npx node bench/rabbitmq-throughput.bench.ts [messages=10000] [runs=3]
 */
import { consumer, createBus, defineMessage, receiveEndpoint } from '@switchyard/bus';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import amqp from 'amqplib';
import { z } from 'zod';
import { median, runConcurrently } from './support/measure.ts';

const url = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const messages = Number(process.argv[2] ?? 10_000);
const runs = Number(process.argv[3] ?? 3);
const inFlight = 100;
const warmUpMessages = 2_000;
const payload = 'x'.repeat(1024 - 40);

const Reading = defineMessage(
  'bench.meters.Reading',
  z.object({ sequence: z.number().int(), payload: z.string() }),
);

async function rawAmqplib(messages: number): Promise<number> {
  const queue = `bench-raw-${process.pid}-${Date.now()}`;
  const connection = await amqp.connect(url);
  const publisher = await connection.createConfirmChannel();
  const consuming = await connection.createChannel();
  await publisher.assertExchange(queue, 'fanout', { durable: true });
  await publisher.assertQueue(queue, { durable: true });
  await publisher.bindQueue(queue, queue, '');
  await consuming.prefetch(inFlight);
  let received = 0;
  let done: () => void = () => {};
  const allReceived = new Promise<void>((resolve) => {
    done = resolve;
  });
  await consuming.consume(queue, (message) => {
    if (!message) return;
    JSON.parse(message.content.toString());
    consuming.ack(message);
    if (++received === messages) done();
  });
  const started = performance.now();
  await runConcurrently(messages, inFlight, (sequence) => {
    const body = Buffer.from(JSON.stringify({ sequence, payload }));
    return new Promise<void>((resolve, reject) =>
      publisher.publish(queue, '', body, { persistent: true, contentType: 'application/json' }, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
  });
  await allReceived;
  const elapsed = performance.now() - started;
  await publisher.deleteQueue(queue);
  await publisher.deleteExchange(queue);
  await connection.close();
  return elapsed;
}

async function switchyard(messages: number): Promise<number> {
  const endpoint = `bench-yard-${process.pid}-${Date.now()}`;
  let received = 0;
  let done: () => void = () => {};
  const allReceived = new Promise<void>((resolve) => {
    done = resolve;
  });
  const bus = createBus({
    transport: new RabbitMqTransport({ url }),
    endpoints: [
      receiveEndpoint(endpoint, {
        concurrency: inFlight,
        prefetch: inFlight,
        consumers: [
          consumer(Reading, () => {
            if (++received === messages) done();
          }),
        ],
      }),
    ],
  });
  await bus.start();
  const started = performance.now();
  await runConcurrently(messages, inFlight, (sequence) =>
    bus.send(`queue:${endpoint}`, Reading, { sequence, payload }),
  );
  await allReceived;
  const elapsed = performance.now() - started;
  await bus.stop();
  const cleanup = await amqp.connect(url);
  const channel = await cleanup.createChannel();
  for (const queue of [endpoint, `${endpoint}_error`, `${endpoint}_skipped`])
    await channel.deleteQueue(queue);
  for (const exchange of [endpoint, `${endpoint}_error`, `${endpoint}_skipped`, Reading.entityName]) {
    await channel.deleteExchange(exchange);
  }
  await cleanup.close();
  return elapsed;
}

// One unmeasured round each first, so neither path is timed while the JIT is still compiling it.
await rawAmqplib(warmUpMessages);
await switchyard(warmUpMessages);
const raw: number[] = [];
const yard: number[] = [];
for (let run = 0; run < runs; run++) {
  raw.push(await rawAmqplib(messages));
  yard.push(await switchyard(messages));
}
const rawRate = messages / (median(raw) / 1000);
const yardRate = messages / (median(yard) / 1000);
process.stdout.write(
  `RabbitMQ publish → consume → ack, ${messages} persistent 1 KB messages with confirms, ${inFlight} in flight, median of ${runs}\n` +
    `${'path'.padEnd(26)}${'msg/s'.padStart(10)}${'ratio'.padStart(8)}\n` +
    `${'raw amqplib'.padEnd(26)}${rawRate.toFixed(0).padStart(10)}${'1.00'.padStart(8)}\n` +
    `${'Switchyard bus'.padEnd(26)}${yardRate.toFixed(0).padStart(10)}${(yardRate / rawRate).toFixed(2).padStart(8)}\n` +
    `RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB\n`,
);
