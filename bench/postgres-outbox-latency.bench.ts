/**
 * Outbox commit-to-delivery latency on PostgreSQL at a fixed rate: how long after a transaction that
 * stored a message in the outbox commits does a consumer of the destination queue have it, next to
 * the same message sent straight through the transport, in the same run.
 *
 * Both paths start `rate` messages a second (in 10 ms ticks, not waiting for earlier ones) of 1 KB,
 * on one `connectPostgres` pool of 10 connections, one `PostgresTransport`, and a consumer on each
 * destination queue (prefetch 50) that records the time it got each message and acks it.
 * - Outbox: `client.transaction(tx => outbox.add(tx, [send to the queue], dispatcher.leaseMs))`
 *   with `PostgresOutbox`, then `OutboxDispatcher.dispatchAdded(entries)` (from `@switchyard/bus`, the
 *   transport as its transport, no sweeper running): the transport's `send`, then `markDelivered`.
 *   Measured from the moment the transaction's commit returned to the consumer's handler
 *   ("commit → consumer"); also from before BEGIN ("begin → consumer").
 * - Baseline: `transport.send` of the same message, measured from the call to the consumer's
 *   handler ("send → consumer").
 * - Sends in the transaction: `client.transaction(tx => transport.sendInTransaction(tx, [send]))`,
 *   what `transactional({ sends: transport })` does when the transport is in the state's database:
 *   no outbox row, no dispatch; measured from the commit to the consumer's handler.
 * Each path first runs one unmeasured second; then each round runs both for `seconds`, taking turns
 * going first, and the median of the rounds' percentiles is reported.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx node bench/postgres-outbox-latency.bench.ts [rate=1000] [seconds=5] [runs=3]
 */
import { type Delivery, OutboxDispatcher, type TransportMessage, uuidv7 } from '@switchyard/bus';
import {
  connectPostgres,
  migrate,
  PostgresOutbox,
  PostgresTransport,
  type SqlClient,
  switchyardMigrations,
} from '@switchyard/postgres';
import pg from 'pg';
import { atFixedRate, median, percentile } from './support/measure.ts';
import { postgresUrl as url } from './support/postgres.ts';

const rate = Number(process.argv[2] ?? 1_000);
const seconds = Number(process.argv[3] ?? 5);
const runs = Number(process.argv[4] ?? 3);
const connections = 10;
const prefetch = 50;
const payload = 'x'.repeat(1024 - 60);
const schema = `bench_outbox_${process.pid}_${Date.now()}`;

/**
 * Calls `start` `total` times at `rate` per second (in 10 ms ticks), not waiting for each to finish;
 * resolves with the rate achieved, counting until the last one finished.
 */
function message(sequence: number): TransportMessage {
  return {
    messageId: uuidv7(),
    contentType: 'application/json',
    body: Buffer.from(JSON.stringify({ sequence, payload })),
    headers: {},
  };
}

let round = 0;

/**
 * Consumes a new queue, calling `received` with each message's id and the time it arrived; `total`
 * messages later, `finished` resolves. The queue is deployed before anything is sent to it.
 */
async function receiver(transport: PostgresTransport, name: string, total: number) {
  const queue = `bench-${name}-${++round}`;
  await transport.deploy({
    exchanges: [{ name: queue, role: 'endpoint', durable: true, autoDelete: false }],
    queues: [{ name: queue, role: 'endpoint', durable: true, autoDelete: false, queueType: 'classic' }],
    bindings: [{ source: queue, destination: queue, destinationType: 'queue' }],
  });
  const arrivals = new Map<string, number>();
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const acks: Promise<void>[] = [];
  const consumer = await transport.consume(queue, { prefetch }, (delivery: Delivery) => {
    arrivals.set(delivery.message.messageId, performance.now());
    acks.push(delivery.ack());
    if (arrivals.size === total) done();
  });
  return {
    queue,
    arrivals,
    async finish() {
      await finished;
      await Promise.all(acks);
      await consumer.cancel();
    },
  };
}

/** Latencies of the direct path: from calling `send` to the consumer. */
async function direct(
  transport: PostgresTransport,
  total: number,
): Promise<{ send: number[]; rate: number }> {
  const target = await receiver(transport, 'direct', total);
  const sentAt = new Map<string, number>();
  const achieved = await atFixedRate(rate, total, () => {
    const each = message(sentAt.size);
    sentAt.set(each.messageId, performance.now());
    return transport.send(target.queue, each);
  });
  await target.finish();
  return {
    send: [...sentAt].map(([id, at]) => (target.arrivals.get(id) ?? Number.NaN) - at),
    rate: achieved,
  };
}

/** Latencies of the outbox path: from the commit, and from before BEGIN, to the consumer. */
async function viaOutbox(
  client: SqlClient,
  transport: PostgresTransport,
  total: number,
): Promise<{ commit: number[]; begin: number[]; rate: number }> {
  const outbox = new PostgresOutbox(client, { schema });
  const dispatcher = new OutboxDispatcher({ outbox, transport });
  const target = await receiver(transport, 'outbox', total);
  const times = new Map<string, { begin: number; commit: number }>();
  let sequence = 0;
  let failed = 0;
  const achieved = await atFixedRate(rate, total, async () => {
    const each = message(sequence++);
    const begin = performance.now();
    const entries = await client.transaction((tx) =>
      outbox.add(tx, [{ kind: 'send', destination: target.queue, message: each }], dispatcher.leaseMs),
    );
    times.set(each.messageId, { begin, commit: performance.now() });
    if (!(await dispatcher.dispatchAdded(entries))) failed += 1;
  });
  if (failed > 0) throw new Error(`${failed} outbox deliveries failed`);
  await target.finish();
  const commit: number[] = [];
  const begin: number[] = [];
  for (const [id, at] of times) {
    const arrived = target.arrivals.get(id) ?? Number.NaN;
    commit.push(arrived - at.commit);
    begin.push(arrived - at.begin);
  }
  return { commit, begin, rate: achieved };
}

/**
 * Latencies when the message goes into the queue inside the transaction that would have stored it in
 * the outbox (`transactional({ sends })`, for a transport in the state's database): commit → consumer.
 */
async function inTransaction(
  client: SqlClient,
  transport: PostgresTransport,
  total: number,
): Promise<{ commit: number[]; rate: number }> {
  const target = await receiver(transport, 'in-transaction', total);
  const committedAt = new Map<string, number>();
  let sequence = 0;
  const achieved = await atFixedRate(rate, total, async () => {
    const each = message(sequence++);
    const committed = await client.transaction((tx) =>
      transport.sendInTransaction(tx, [{ kind: 'send', destination: target.queue, message: each }]),
    );
    committedAt.set(each.messageId, performance.now());
    committed();
  });
  await target.finish();
  return {
    commit: [...committedAt].map(([id, at]) => (target.arrivals.get(id) ?? Number.NaN) - at),
    rate: achieved,
  };
}

function ignore(): void {}

/** Drops the schema on a connection of its own, trying again while the server restarts. */
async function dropSchema(): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const cleanup = new pg.Client({ connectionString: url });
    cleanup.on('error', ignore);
    try {
      await cleanup.connect();
      await cleanup.query(`drop schema if exists "${schema}" cascade`);
      return;
    } catch (error) {
      if (attempt === 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    } finally {
      await cleanup.end().catch(ignore);
    }
  }
}

// An error nobody awaits (a connection lost while the server restarts) still drops the schema.
process.once('uncaughtException', (error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  void dropSchema().finally(() => process.exit(1));
});

/** One round of one path: its percentiles and the rate it managed (below `rate` when it fell behind). */
interface Percentiles {
  readonly p50: number;
  readonly p99: number;
  readonly rate: number;
}
const of = (values: number[], achieved: number): Percentiles => ({
  p50: percentile(values, 50),
  p99: percentile(values, 99),
  rate: achieved,
});
const rounds = {
  send: [] as Percentiles[],
  commit: [] as Percentiles[],
  begin: [] as Percentiles[],
  inTransaction: [] as Percentiles[],
};
const total = rate * seconds;
const client = connectPostgres({ url, maxConnections: connections, applicationName: 'bench switchyard' });
const transport = new PostgresTransport(client, { schema });
try {
  await migrate(client, await switchyardMigrations(schema));
  await transport.start();
  // One unmeasured second of each first, so neither path is timed while the JIT is still compiling it.
  await direct(transport, rate);
  await viaOutbox(client, transport, rate);
  await inTransaction(client, transport, rate);
  const paths = ['direct', 'outbox', 'in-transaction'] as const;
  for (let run = 0; run < runs; run++) {
    // The paths take turns going first.
    for (const path of [...paths.slice(run % paths.length), ...paths.slice(0, run % paths.length)]) {
      if (path === 'direct') {
        const latencies = await direct(transport, total);
        rounds.send.push(of(latencies.send, latencies.rate));
      } else if (path === 'outbox') {
        const latencies = await viaOutbox(client, transport, total);
        rounds.commit.push(of(latencies.commit, latencies.rate));
        rounds.begin.push(of(latencies.begin, latencies.rate));
      } else {
        const latencies = await inTransaction(client, transport, total);
        rounds.inTransaction.push(of(latencies.commit, latencies.rate));
      }
    }
  }
} finally {
  await transport.close().catch(ignore);
  await client.close().catch(ignore);
  await dropSchema();
}

const p50 = (name: keyof typeof rounds) => median(rounds[name].map((each) => each.p50));
const p99 = (name: keyof typeof rounds) => median(rounds[name].map((each) => each.p99));
const row = (label: string, name: keyof typeof rounds) =>
  `${label.padEnd(44)}${p50(name).toFixed(2).padStart(9)}${p99(name).toFixed(2).padStart(9)}   ` +
  `${rounds[name].map((each) => `${each.p50.toFixed(1)}/${each.p99.toFixed(1)} @${each.rate.toFixed(0)}`).join(' ')}\n`;
process.stdout.write(
  `PostgreSQL outbox latency at ${rate} msg/s for ${seconds} s, 1 KB messages, to the consumer (ms), median of ${runs}\n` +
    `${'path'.padEnd(44)}${'p50'.padStart(9)}${'p99'.padStart(9)}   rounds (p50/p99 @ msg/s achieved)\n` +
    row('transport.send, send → consumer', 'send') +
    row('outbox + deliver, commit → consumer', 'commit') +
    row('outbox + deliver, begin → consumer', 'begin') +
    row('sends in the transaction, commit → consumer', 'inTransaction') +
    `ratio to send → consumer: outbox p50 ${(p50('commit') / p50('send')).toFixed(2)}, ` +
    `p99 ${(p99('commit') / p99('send')).toFixed(2)}; in transaction p50 ` +
    `${(p50('inTransaction') / p50('send')).toFixed(2)}, p99 ${(p99('inTransaction') / p99('send')).toFixed(2)}; RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB\n`,
);
