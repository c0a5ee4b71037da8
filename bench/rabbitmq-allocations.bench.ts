/**
 * RabbitMQ, memory allocated per message: the throughput benchmark's publish → consume → ack rounds
 * (rabbitmq-throughput.bench.ts), raw amqplib next to the Switchyard bus in the same run, counted by
 * V8's sampling heap profiler with the objects already collected included. Each path runs at two
 * sizes and the difference is divided by the extra messages, which takes the round's set-up out.
 *
 * Throughput on a shared two-core machine moves by a tenth between invocations; this figure repeats
 * to within a few percent, so it is the guide for work on the bus's own cost per message.
 *
 *   RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5672 npx node bench/rabbitmq-allocations.bench.ts [messages=10000]
 */
import { Session } from 'node:inspector/promises';
import { rawAmqplibRound, switchyardRound, type ThroughputRound } from './rabbitmq-throughput.bench.ts';

/** The smaller round, whose allocations (set-up included) are subtracted from the larger one's. */
const baseMessages = 2_000;
/** One sample per this many bytes allocated, on average: fine enough for a stable total. */
const samplingIntervalBytes = 256;

interface SampledNode {
  readonly selfSize: number;
  readonly children: readonly SampledNode[];
}

function totalSize(node: SampledNode): number {
  let total = node.selfSize;
  for (const child of node.children) total += totalSize(child);
  return total;
}

/** Bytes allocated while `round` moves `messages` messages, garbage already collected included. */
async function allocatedDuring(session: Session, round: ThroughputRound, messages: number): Promise<number> {
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: samplingIntervalBytes,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  let sampled: { profile: { head: unknown } } | undefined;
  try {
    await round(messages);
  } finally {
    sampled = await session.post('HeapProfiler.stopSampling');
  }
  return totalSize(sampled.profile.head as SampledNode);
}

/** Bytes allocated per message by each path, raw amqplib first. */
export async function measureRabbitMqAllocations(
  messages: number,
): Promise<{ readonly name: string; readonly bytesPerMessage: number }[]> {
  const paths = [
    { name: 'raw amqplib', round: rawAmqplibRound },
    { name: 'Switchyard bus', round: switchyardRound },
  ];
  const session = new Session();
  session.connect();
  try {
    // One unmeasured round each, so module loading and compilation are not counted.
    for (const path of paths) await path.round(baseMessages);
    const results = [];
    for (const path of paths) {
      const base = await allocatedDuring(session, path.round, baseMessages);
      const larger = await allocatedDuring(session, path.round, baseMessages + messages);
      results.push({ name: path.name, bytesPerMessage: (larger - base) / messages });
    }
    return results;
  } finally {
    session.disconnect();
  }
}

if (import.meta.main) {
  const messages = Number(process.argv[2] ?? 10_000);
  const [raw, yard] = await measureRabbitMqAllocations(messages);
  const kb = (bytes: number) => (bytes / 1024).toFixed(1);
  const rawBytes = raw?.bytesPerMessage ?? Number.NaN;
  const yardBytes = yard?.bytesPerMessage ?? Number.NaN;
  process.stdout.write(
    `RabbitMQ publish → consume → ack, persistent 1 KB messages with confirms: memory allocated per message\n` +
      `(rounds of ${baseMessages} and ${baseMessages + messages} messages, the difference over ${messages})\n` +
      `${'path'.padEnd(26)}${'KB/msg'.padStart(10)}${'ratio'.padStart(8)}\n` +
      `${'raw amqplib'.padEnd(26)}${kb(rawBytes).padStart(10)}${'1.00'.padStart(8)}\n` +
      `${'Switchyard bus'.padEnd(26)}${kb(yardBytes).padStart(10)}${(yardBytes / rawBytes).toFixed(2).padStart(8)}\n`,
  );
}
