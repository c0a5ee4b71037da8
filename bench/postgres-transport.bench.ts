/**
 * Queue throughput on PostgreSQL: send `messages` 1 KB JSON messages to a queue and consume them all,
 * settling each, end to end, Switchyard's `PostgresTransport` next to pg-boss in the same run.
 *
 * The same settings on both sides: a pool of 10 connections, 50 sends in flight (each its own
 * statement and commit), one consumer holding at most 50 unsettled messages, wake-ups by
 * LISTEN/NOTIFY with polling as the backstop, the consumer parsing each message's JSON.
 * - Switchyard: the raw transport API. `deploy` of a queue with its exchange, `send` to it,
 *   `consume` with prefetch 50 and `ack` of every delivery (the transport gathers acks that arrive
 *   while one is in flight into one DELETE).
 * - pg-boss, in two configurations of one instance (`useListenNotify: true`): "pg-boss notify", a
 *   queue created with `notify: true`, so sends NOTIFY and wake the worker as Switchyard's do; and
 *   "pg-boss polling", a queue without `notify`, whose worker polls (every 0.5 s, at once again
 *   while fetches come back full), pg-boss's faster setting for throughput. Either way `send` to the
 *   queue and `work` with `batchSize: 50`, `localConcurrency: 1`, `burstWhenBatchFull: true`; the
 *   handler takes each job of the batch, and pg-boss completes the batch in one statement when it
 *   resolves (its way of settling jobs). Supervision (maintenance, queue stats) and cron scheduling
 *   are off, so only the queue work runs; completed jobs stay in pg-boss's table as its retention says.
 * Timing runs from the first send until every message has been handled and settled (Switchyard:
 * every `ack` resolved; pg-boss: the worker stopped with `offWork(..., { wait: true })`, which waits
 * for the last batch's completion). Switchyard and pg-boss have a schema each, every round uses a
 * new queue, each path first runs an unmeasured round of 2,000 messages, and the paths take turns
 * going first. Prints the median messages/s of `runs` rounds for each path and Switchyard's ratio to
 * each pg-boss configuration. `measurePostgresTransport` is what the peers table (peers.bench.ts) runs.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx node bench/postgres-transport.bench.ts [messages=10000] [runs=3]
 */
import type { Delivery } from '@switchyard/bus';
import { connectPostgres, migrate, PostgresTransport, switchyardMigrations } from '@switchyard/postgres';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { retrying, withCleanup } from './support/cleanup.ts';
import { countdown, median, type PathRate, runConcurrently } from './support/measure.ts';
import { postgresUrl as url } from './support/postgres.ts';

const connections = 10;
const inFlight = 50;
const prefetch = 50;
const warmUpMessages = 2_000;
const payload = 'x'.repeat(1024 - 40);
const contentType = 'application/json';

interface Reading {
  readonly sequence: number;
  readonly payload: string;
}

/** Numbers each round's queue, so no round reads another's messages. */
let round = 0;

async function switchyard(transport: PostgresTransport, count: number): Promise<number> {
  const queue = `bench-yard-${++round}`;
  await transport.deploy({
    exchanges: [{ name: queue, role: 'endpoint', durable: true, autoDelete: false }],
    queues: [{ name: queue, role: 'endpoint', durable: true, autoDelete: false, queueType: 'classic' }],
    bindings: [{ source: queue, destination: queue, destinationType: 'queue' }],
  });
  const handled = countdown(count);
  const acks: Promise<void>[] = [];
  const consumer = await transport.consume(queue, { prefetch }, (delivery: Delivery) => {
    const reading = JSON.parse(Buffer.from(delivery.message.body).toString()) as Reading;
    if (reading.payload.length === 0) throw new Error('empty payload');
    acks.push(delivery.ack());
    handled.tick();
  });
  const started = performance.now();
  await runConcurrently(count, inFlight, (sequence) =>
    transport.send(queue, {
      messageId: `${queue}-${sequence}`,
      contentType,
      body: Buffer.from(JSON.stringify({ sequence, payload })),
      headers: {},
    }),
  );
  await handled.finished;
  await Promise.all(acks);
  const elapsed = performance.now() - started;
  await consumer.cancel();
  return elapsed;
}

async function pgBoss(boss: PgBoss, notify: boolean, count: number): Promise<number> {
  const queue = `bench-boss-${++round}`;
  await boss.createQueue(queue, { notify });
  const handled = countdown(count);
  await boss.work<Reading>(
    queue,
    { batchSize: prefetch, localConcurrency: 1, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 },
    async (jobs) => {
      for (const job of jobs) {
        if (job.data.payload.length === 0) throw new Error('empty payload');
        handled.tick();
      }
    },
  );
  const started = performance.now();
  await runConcurrently(count, inFlight, (sequence) => boss.send(queue, { sequence, payload }));
  await handled.finished;
  await boss.offWork(queue, { wait: true });
  const elapsed = performance.now() - started;
  await boss.deleteQueue(queue);
  return elapsed;
}

function ignore(): void {}

/** Drops the schemas on a connection of its own, trying again for half a minute while the server restarts. */
async function dropSchemas(names: readonly string[]): Promise<void> {
  await retrying(10, 3_000, async () => {
    const client = new pg.Client({ connectionString: url });
    client.on('error', ignore);
    try {
      await client.connect();
      for (const name of names) await client.query(`drop schema if exists "${name}" cascade`);
    } finally {
      await client.end().catch(() => {});
    }
  });
}

/**
 * One unmeasured round of 2,000 messages on each path, then `runs` rounds of `messages`, the paths
 * taking turns going first; each path's median messages/s, Switchyard first, then pg-boss notify and
 * pg-boss polling. Switchyard and pg-boss each get a schema of their own, dropped at the end.
 */
export async function measurePostgresTransport(options: {
  readonly messages: number;
  readonly runs: number;
}): Promise<PathRate[]> {
  const stamp = `${process.pid}_${Date.now()}`;
  const yardSchema = `bench_transport_yard_${stamp}`;
  const bossSchema = `bench_transport_boss_${stamp}`;
  const client = connectPostgres({ url, maxConnections: connections, applicationName: 'bench switchyard' });
  const transport = new PostgresTransport(client, { schema: yardSchema });
  const boss = new PgBoss({
    connectionString: url,
    schema: bossSchema,
    max: connections,
    application_name: 'bench pg-boss',
    useListenNotify: true,
    supervise: false,
    schedule: false,
  });
  boss.on('error', (error) => process.stderr.write(`pg-boss: ${error.message}\n`));
  const paths = [
    {
      name: 'Switchyard transport',
      run: (count: number) => switchyard(transport, count),
      times: [] as number[],
    },
    { name: 'pg-boss notify', run: (count: number) => pgBoss(boss, true, count), times: [] as number[] },
    { name: 'pg-boss polling', run: (count: number) => pgBoss(boss, false, count), times: [] as number[] },
  ];
  await withCleanup(
    async () => {
      await migrate(client, await switchyardMigrations(yardSchema));
      await transport.start();
      await boss.start();
      // One unmeasured round each first, so no path is timed while the JIT is still compiling it.
      for (const path of paths) await path.run(warmUpMessages);
      for (let run = 0; run < options.runs; run++) {
        for (let index = 0; index < paths.length; index++) {
          const path = paths[(run + index) % paths.length] as (typeof paths)[number];
          path.times.push(await path.run(options.messages));
        }
      }
    },
    async () => {
      await transport.close().catch(ignore);
      await client.close().catch(ignore);
      await boss.stop({ graceful: false, close: true }).catch(ignore);
      await dropSchemas([yardSchema, bossSchema]);
    },
  );
  const rate = (elapsed: number) => options.messages / (elapsed / 1000);
  return paths.map((path) => ({
    name: path.name,
    perSecond: rate(median(path.times)),
    rounds: path.times.map(rate),
  }));
}

if (import.meta.main) {
  const messages = Number(process.argv[2] ?? 10_000);
  const runs = Number(process.argv[3] ?? 3);
  const paths = await measurePostgresTransport({ messages, runs });
  const yardRate = paths[0]?.perSecond ?? Number.NaN;
  let table =
    `PostgreSQL queue send → consume → settle, ${messages} 1 KB messages, ${inFlight} sends in flight, ` +
    `${prefetch} held by the consumer, ${connections} connections each, median of ${runs}\n` +
    `${'path'.padEnd(24)}${'msg/s'.padStart(10)}${'Switchyard ratio'.padStart(18)}   rounds (msg/s)\n`;
  for (const path of paths) {
    table +=
      `${path.name.padEnd(24)}${path.perSecond.toFixed(0).padStart(10)}${(yardRate / path.perSecond).toFixed(2).padStart(18)}   ` +
      `${path.rounds.map((perSecond) => perSecond.toFixed(0)).join(' ')}\n`;
  }
  process.stdout.write(`${table}RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB\n`);
}
