/**
 * RabbitMQ, this process's CPU time per message: the throughput benchmark's publish → consume → ack
 * rounds (rabbitmq-throughput.bench.ts), raw amqplib next to the Switchyard bus in the same run,
 * alternating, after an unmeasured round of each. User plus system time of the process, so the
 * broker's own work on the same machine is not in it.
 *
 * On two shared cores the broker and this process compete, so the process's CPU per message is what
 * the bus can change about throughput. It moves less between invocations than messages/s, though a
 * busy machine raises both paths' figures (compare the ratio).
 *
 *   RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5672 npx node bench/rabbitmq-cpu.bench.ts [messages=20000] [runs=3]
 */

import { rawAmqplibRound, switchyardRound, type ThroughputRound } from './rabbitmq-throughput.bench.ts';
import { median } from './support/measure.ts';

const warmUpMessages = 2_000;

/** Microseconds of this process's CPU (user + system) per message while `round` moves `messages`. */
async function cpuPerMessage(round: ThroughputRound, messages: number): Promise<number> {
  const before = process.cpuUsage();
  await round(messages);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / messages;
}

/** The median CPU µs per message of each path over `runs` alternating rounds, raw amqplib first. */
export async function measureRabbitMqCpu(
  messages: number,
  runs: number,
): Promise<{ readonly name: string; readonly microsPerMessage: number }[]> {
  const paths = [
    { name: 'raw amqplib', round: rawAmqplibRound, samples: [] as number[] },
    { name: 'Switchyard bus', round: switchyardRound, samples: [] as number[] },
  ];
  for (const path of paths) await path.round(warmUpMessages);
  for (let run = 0; run < runs; run++) {
    for (const path of paths) path.samples.push(await cpuPerMessage(path.round, messages));
  }
  return paths.map((path) => ({ name: path.name, microsPerMessage: median(path.samples) }));
}

if (import.meta.main) {
  const messages = Number(process.argv[2] ?? 20_000);
  const runs = Number(process.argv[3] ?? 3);
  const [raw, yard] = await measureRabbitMqCpu(messages, runs);
  const rawMicros = raw?.microsPerMessage ?? Number.NaN;
  const yardMicros = yard?.microsPerMessage ?? Number.NaN;
  process.stdout.write(
    `RabbitMQ publish → consume → ack, ${messages} persistent 1 KB messages with confirms: this process's CPU per message, median of ${runs}\n` +
      `${'path'.padEnd(26)}${'µs/msg'.padStart(10)}${'ratio'.padStart(8)}\n` +
      `${'raw amqplib'.padEnd(26)}${rawMicros.toFixed(1).padStart(10)}${'1.00'.padStart(8)}\n` +
      `${'Switchyard bus'.padEnd(26)}${yardMicros.toFixed(1).padStart(10)}${(yardMicros / rawMicros).toFixed(2).padStart(8)}\n`,
  );
}
