/**
 * In-memory bus throughput: publish → consume through the whole pipeline (validation, envelope,
 * codec, topology routing, middleware, retry wrapper, ack), next to calling the handler directly on
 * the same messages. Prints messages/s for both, the ratio and the per-message pipeline overhead.
 *
 *   npx node bench/bus-memory.bench.ts [messages=20000] [runs=5]
 */
import {
  consumer,
  createBus,
  defineMessage,
  MemoryTransport,
  type MessageOf,
  receiveEndpoint,
} from '@switchyard/bus';
import { z } from 'zod';
import { median } from './support/measure.ts';

const messages = Number(process.argv[2] ?? 20_000);
const runs = Number(process.argv[3] ?? 5);

const OrderPlaced = defineMessage(
  'bench.orders.OrderPlaced',
  z.object({
    orderId: z.string(),
    lines: z.array(z.object({ sku: z.string(), quantity: z.number().int() })),
  }),
);
type Order = MessageOf<typeof OrderPlaced>;
const orders: Order[] = Array.from({ length: messages }, (_, index) => ({
  orderId: `o-${index}`,
  lines: [{ sku: 'milk-1l', quantity: (index % 5) + 1 }],
}));

let checksum = 0;
const handler = (order: Order) => {
  checksum += order.lines[0]?.quantity ?? 0;
};

/** The baseline: the same handler called directly, in a loop, on the same messages. */
async function direct(): Promise<number> {
  const started = performance.now();
  for (const order of orders) await handler(order);
  return performance.now() - started;
}

/** Publish every message through a bus on the in-memory transport and wait until all are consumed. */
async function throughBus(): Promise<number> {
  let consumed = 0;
  let done: () => void = () => {};
  const allConsumed = new Promise<void>((resolve) => {
    done = resolve;
  });
  const bus = createBus({
    transport: new MemoryTransport(),
    endpoints: [
      receiveEndpoint('bench-orders', {
        concurrency: 16,
        prefetch: 64,
        consumers: [
          consumer(OrderPlaced, (order) => {
            handler(order);
            if (++consumed === messages) done();
          }),
        ],
      }),
    ],
  });
  await bus.start();
  const started = performance.now();
  for (const order of orders) await bus.publish(OrderPlaced, order);
  await allConsumed;
  const elapsed = performance.now() - started;
  await bus.stop();
  return elapsed;
}

const directTimes: number[] = [];
const busTimes: number[] = [];
await direct(); // warm up both paths once before measuring
await throughBus();
for (let run = 0; run < runs; run++) {
  directTimes.push(await direct());
  busTimes.push(await throughBus());
}
const directRate = messages / (median(directTimes) / 1000);
const busRate = messages / (median(busTimes) / 1000);
const overheadUs = ((median(busTimes) - median(directTimes)) * 1000) / messages;

const rows = [
  ['direct handler call', directRate.toFixed(0), '1.00'],
  ['bus publish → consume (memory)', busRate.toFixed(0), (busRate / directRate).toFixed(4)],
];
process.stdout.write(
  `in-memory bus, ${messages} messages, median of ${runs} runs (checksum ${checksum})\n` +
    `${'path'.padEnd(34)}${'msg/s'.padStart(12)}${'ratio'.padStart(10)}\n` +
    rows
      .map(([path, rate, ratio]) => `${path?.padEnd(34)}${rate?.padStart(12)}${ratio?.padStart(10)}\n`)
      .join('') +
    `pipeline overhead per message: ${overheadUs.toFixed(1)} µs\n`,
);
