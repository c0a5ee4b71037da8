/**
 * Regression comparison at scale (the 100,000 groups): how many settled groups a second the
 * comparison worker threads compare, with 1 and with 2 threads on this machine, with bounded memory,
 * next to a plain `pg` loop doing the same work in the same run.
 *
 * In a fresh schema and vhost: seeds one run of `groups` groups through `PostgresCaptureStore.append`
 * (2,000 groups a statement, two statements at once): every group an InvoiceIssued from each side,
 * every other group a DeliveryBooked from each side as well (about 3 messages a group); 1 invoice in
 * 50 differs and 1 delivery in 100 is missing from the candidate. Then, for 1 and for 2 threads:
 * the run's claims and results are reset, `SettledGroupDispatcher` claims every group and sends its
 * `CompareGroup` work item to the RabbitMQ queue (timed on its own: dispatch), and
 * `startComparisonWorkers` starts the threads, which compare them with this file's suite (timed from
 * the start call to the last result recorded). Then the raw client, 1 and 2 loops at once, each on
 * its own `pg` connection: page through its share of the groups, select a group's messages, compare
 * each type's baseline and candidate with a naive deep-equal, insert one result row per type.
 * Each phase checks the outcomes (counts per kind) and samples RSS every 250 ms; the process's peak
 * RSS (`maxRSS`, which covers its threads) is printed at the end.
 *
 * This file is also the suite module the worker threads load (`export const suite`); it runs only
 * in the main thread.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5672 \
 *     npx node bench/regression-compare.bench.ts [groups=100000] [concurrency per thread=8]
 *   npm run bench -- --regression [groups] [concurrency]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { createBus, defineMessage } from '@switchyard/bus';
import { connectPostgres, migrate, qualified } from '@switchyard/postgres';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import {
  type CapturedMessage,
  defineReconciler,
  defineRegressionSuite,
  PostgresCaptureStore,
  regressionMigrations,
  SettledGroupDispatcher,
  startComparisonWorkers,
} from '@switchyard/regression';
import { postgresForTests, rabbitmqForTests } from '@switchyard/testing';
import pg from 'pg';
import { z } from 'zod';
import { withCleanup } from './support/cleanup.ts';

export const InvoiceIssued = defineMessage(
  'bench.regression.InvoiceIssued',
  z.object({
    orderId: z.string(),
    customerId: z.string(),
    lines: z.array(z.object({ sku: z.string(), quantity: z.number(), priceMinor: z.number() })),
    totalMinor: z.number(),
    currency: z.string(),
    issuedAt: z.string(),
  }),
);
export const DeliveryBooked = defineMessage(
  'bench.regression.DeliveryBooked',
  z.object({ orderId: z.string(), van: z.string(), day: z.string() }),
);

export const suite = defineRegressionSuite({
  name: 'regression benchmark',
  captures: [InvoiceIssued, DeliveryBooked],
  reconcilers: [
    defineReconciler({
      name: 'invoices',
      messages: [InvoiceIssued],
      compare: (baseline, candidate, t) =>
        t.diff(baseline.one(InvoiceIssued), candidate.one(InvoiceIssued), { ignore: ['issuedAt'] }),
    }),
    defineReconciler({
      name: 'deliveries',
      messages: [DeliveryBooked],
      compare: (baseline, candidate, t) =>
        t.diff(baseline.one(DeliveryBooked), candidate.one(DeliveryBooked)),
    }),
  ],
  settle: { quietMs: 0, maxWaitMs: 60_000 },
});

const run = 'bench';
const groupsPerStatement = 2_000;
const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);
const format = (value: number, digits = 0) =>
  value.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** One group's captures: an invoice per side, every other group a delivery per side; a few differ. */
function groupCaptures(index: number, at: string): CapturedMessage[] {
  const orderId = `o-${String(index).padStart(7, '0')}`;
  const captured = (
    environment: 'baseline' | 'candidate',
    kind: 'invoice' | 'delivery',
    message: unknown,
  ): CapturedMessage => ({
    run,
    environment,
    messageId: `${environment}-${kind}-${index}`,
    correlationId: orderId,
    conversationId: undefined,
    messageType: kind === 'invoice' ? InvoiceIssued.urn : DeliveryBooked.urn,
    sentTime: at,
    capturedAt: at,
    message,
    headers: {},
  });
  const lines = [
    { sku: `sku-${index % 97}`, quantity: 1 + (index % 3), priceMinor: 250 + (index % 500) },
    { sku: `sku-${(index + 13) % 97}`, quantity: 2, priceMinor: 120 },
  ];
  const total = lines.reduce((sum, line) => sum + line.quantity * line.priceMinor, 0);
  const invoice = (environment: 'baseline' | 'candidate') => ({
    orderId,
    customerId: `c-${index % 5_000}`,
    lines,
    // 1 invoice in 50 is a penny off in the candidate; issuedAt always differs and is ignored.
    totalMinor: environment === 'candidate' && index % 50 === 0 ? total + 1 : total,
    currency: 'GBP',
    issuedAt: `${at}#${environment}`,
  });
  const messages = [
    captured('baseline', 'invoice', invoice('baseline')),
    captured('candidate', 'invoice', invoice('candidate')),
  ];
  if (index % 2 === 1) {
    const delivery = { orderId, van: `van-${index % 40}`, day: '2026-12-07' };
    messages.push(captured('baseline', 'delivery', delivery));
    // 1 delivery in 100 never booked by the candidate.
    if (index % 200 !== 1) messages.push(captured('candidate', 'delivery', delivery));
  }
  return messages;
}

/** What every phase must find: results per outcome kind. */
function expectedOutcomes(groups: number): Record<string, number> {
  let invoiceMismatches = 0;
  let deliveries = 0;
  let missing = 0;
  for (let index = 0; index < groups; index++) {
    if (index % 50 === 0) invoiceMismatches += 1;
    if (index % 2 === 1) deliveries += 1;
    if (index % 200 === 1) missing += 1;
  }
  const outcomes: Record<string, number> = {
    match: groups - invoiceMismatches + deliveries - missing,
    mismatch: invoiceMismatches,
  };
  if (missing > 0) outcomes['missing-in-candidate'] = missing;
  return outcomes;
}

/** The machine's busy share of all its cores between two readings of /proc/stat. */
function cpuTicks(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** CPU time (in clock ticks, 1/100 s) of every PostgreSQL and RabbitMQ process now running, by pid. */
function serverTicks(): Map<number, { server: Server; ticks: number }> {
  const found = new Map<number, { server: Server; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const server: Server | undefined =
      name === 'postgres' ? 'postgresql' : name === 'beam.smp' ? 'rabbitmq' : undefined;
    if (!server) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    found.set(Number(entry), { server, ticks: Number(fields[11]) + Number(fields[12]) });
  }
  return found;
}

type Server = 'postgresql' | 'rabbitmq';

/** Where a phase's CPU went, in cores (1 = one core busy the whole phase). */
interface CpuShares {
  readonly process: number;
  readonly postgresql: number;
  readonly rabbitmq: number;
  /** The machine's busy cores less the three above: other work on the shared machine. */
  readonly other: number;
  readonly machineBusy: number;
}

/**
 * A phase's wall time, where the CPU went (this process with its threads, the servers' processes,
 * read every 250 ms so that connections closed during the phase still count, and the machine's
 * total), and RSS: at 10% of the work, at the end, and the highest sample.
 */
async function measured<T>(
  progress: () => number,
  work: () => Promise<T>,
): Promise<{ result: T; seconds: number; cpu: CpuShares; rss: RssSamples }> {
  const cpuBefore = process.cpuUsage();
  const ticksBefore = cpuTicks();
  const servers = new Map<number, { server: Server; first: number; last: number }>();
  for (const [pid, { server, ticks }] of serverTicks())
    servers.set(pid, { server, first: ticks, last: ticks });
  const samples = { before: process.memoryUsage.rss(), atTenPercent: 0, end: 0, max: 0 };
  const sample = () => {
    const rss = process.memoryUsage.rss();
    samples.max = Math.max(samples.max, rss);
    if (samples.atTenPercent === 0 && progress() >= 0.1) samples.atTenPercent = rss;
    for (const [pid, { server, ticks }] of serverTicks()) {
      const known = servers.get(pid);
      if (known) known.last = ticks;
      else servers.set(pid, { server, first: 0, last: ticks });
    }
  };
  const sampler = setInterval(sample, 250);
  const started = performance.now();
  try {
    const result = await work();
    const seconds = (performance.now() - started) / 1000;
    sample();
    samples.end = process.memoryUsage.rss();
    const cpu = process.cpuUsage(cpuBefore);
    const ticks = cpuTicks();
    const serverCores = (which: Server) =>
      [...servers.values()]
        .filter((each) => each.server === which)
        .reduce((sum, each) => sum + each.last - each.first, 0) /
      100 /
      seconds;
    const machineBusy = ((ticks.busy - ticksBefore.busy) / (ticks.total - ticksBefore.total)) * cpus().length;
    const own = (cpu.user + cpu.system) / 1e6 / seconds;
    const postgresql = serverCores('postgresql');
    const rabbitmq = serverCores('rabbitmq');
    return {
      result,
      seconds,
      cpu: {
        process: own,
        postgresql,
        rabbitmq,
        other: machineBusy - own - postgresql - rabbitmq,
        machineBusy,
      },
      rss: samples,
    };
  } finally {
    clearInterval(sampler);
  }
}

interface RssSamples {
  before: number;
  atTenPercent: number;
  end: number;
  max: number;
}

const cpuText = (cpu: CpuShares) =>
  `CPU in cores: this process ${format(cpu.process, 2)}, PostgreSQL ${format(cpu.postgresql, 2)}, RabbitMQ ${format(cpu.rabbitmq, 2)}, other ${format(cpu.other, 2)} (machine busy ${format(cpu.machineBusy, 2)} of ${cpus().length})`;

interface PhaseFigures {
  readonly name: string;
  readonly workers: number;
  readonly groupsPerSecond: number;
  readonly seconds: number;
  readonly cpu: CpuShares;
  readonly counters: string;
  readonly rss: RssSamples;
}

function deepEqual(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  const leftKeys = Object.keys(left);
  if (leftKeys.length !== Object.keys(right).length) return false;
  return leftKeys.every((key) =>
    deepEqual((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key]),
  );
}

const withoutIssuedAt = (message: unknown) => {
  if (typeof message !== 'object' || message === null) return message;
  const { issuedAt: _ignored, ...rest } = message as Record<string, unknown>;
  return rest;
};

/** The raw client's loop: its share of the groups, one at a time, with prepared statements. */
async function rawLoop(
  url: string,
  schema: string,
  part: number,
  parts: number,
  onCompared: () => void,
): Promise<number> {
  const client = new pg.Client({ connectionString: url, application_name: `bench-raw-${part}` });
  await client.connect();
  const groupsTable = qualified(schema, 'capture_groups');
  const messagesTable = qualified(schema, 'captured_messages');
  const resultsTable = qualified(schema, 'comparison_results');
  let compared = 0;
  try {
    let after = '';
    for (;;) {
      const page = await client.query<{ group_key: string }>({
        name: 'page',
        text: `select group_key from ${groupsTable} where run = $1 and group_key > $2
               and abs(hashtext(group_key)) % $3 = $4 order by group_key limit 1000`,
        values: [run, after, parts, part],
      });
      if (page.rows.length === 0) return compared;
      for (const { group_key: groupKey } of page.rows) {
        const { rows } = await client.query<{ environment: string; message_type: string; message: unknown }>({
          name: 'messages',
          text: `select environment, message_type, message from ${messagesTable} where run = $1 and group_key = $2`,
          values: [run, groupKey],
        });
        const byType = new Map<string, { baseline: unknown[]; candidate: unknown[] }>();
        for (const row of rows) {
          const sides = byType.get(row.message_type) ?? { baseline: [], candidate: [] };
          byType.set(row.message_type, sides);
          if (row.environment === 'baseline') sides.baseline.push(withoutIssuedAt(row.message));
          else if (row.environment === 'candidate') sides.candidate.push(withoutIssuedAt(row.message));
        }
        for (const [type, { baseline, candidate }] of byType) {
          const kind =
            candidate.length === 0
              ? 'missing-in-candidate'
              : baseline.length === 0
                ? 'missing-in-baseline'
                : deepEqual(baseline, candidate)
                  ? 'match'
                  : 'mismatch';
          await client.query({
            name: 'insert',
            text: `insert into ${resultsTable} (run, group_key, reconciler, outcome, outcome_kind)
                   values ($1, $2, $3, $4::jsonb, $5) on conflict (run, group_key, reconciler) do nothing`,
            values: [run, groupKey, type, JSON.stringify({ kind }), kind],
          });
        }
        compared += 1;
        onCompared();
      }
      after = page.rows.at(-1)?.group_key ?? after;
    }
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const positional = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  const groups = Number(positional[0] ?? 100_000);
  // Groups in hand per thread: comparisonEndpoint's default unless given.
  const concurrency = Number(positional[1] ?? 8);
  // A diagnosis, not the benchmark: commits that do not wait for the WAL flush, to see if it limits.
  const asyncCommit = process.argv.includes('--async-commit');
  const postgres = await postgresForTests();
  const rabbitmq = await rabbitmqForTests();
  if (postgres.skip || rabbitmq.skip)
    throw new Error(`needs DATABASE_URL and RABBITMQ_URL: ${postgres.skip || rabbitmq.skip}`);
  const schema = await postgres.createSchema();
  const vhost = await rabbitmq.createVhost();
  const storeUrl = new URL(schema.url);
  if (asyncCommit)
    storeUrl.searchParams.set('options', `${storeUrl.searchParams.get('options')} -c synchronous_commit=off`);
  const url = storeUrl.toString();
  const sql = connectPostgres({ url, maxConnections: 4, applicationName: 'bench-regression' });
  const cleanup = async () => {
    await sql.close().catch(() => {});
    await vhost.delete();
    await schema.drop();
  };
  await withCleanup(async () => {
    await migrate(sql, await regressionMigrations(schema.name));
    const store = new PostgresCaptureStore(sql, { schema: schema.name });
    const expected = expectedOutcomes(groups);
    const expectedResults = Object.values(expected).reduce((sum, count) => sum + count, 0);
    const { rows: versionRows } = await sql.query('select version() as version');
    process.stdout.write(
      `Node ${process.version}, ${String(versionRows[0]?.version).split(' on ')[0]}, ${format(groups)} groups, ${concurrency} in hand per thread${asyncCommit ? ', synchronous_commit off' : ''}\n`,
    );

    // Seed.
    const at = new Date().toISOString();
    let seededGroups = 0;
    let seededMessages = 0;
    const seed = await measured(
      () => seededGroups / groups,
      async () => {
        let next = 0;
        const appender = async () => {
          while (next < groups) {
            const from = next;
            next = Math.min(groups, next + groupsPerStatement);
            const batch: CapturedMessage[] = [];
            for (let index = from; index < next; index++) batch.push(...groupCaptures(index, at));
            const { stored } = await store.append(batch);
            seededMessages += stored;
            seededGroups += next - from;
          }
        };
        await Promise.all([appender(), appender()]);
      },
    );
    process.stdout.write(
      `seeded ${format(seededMessages)} messages in ${format(groups)} groups in ${format(seed.seconds, 1)} s (${format(seededMessages / seed.seconds)} messages/s)\n`,
    );

    const resetRun = async () => {
      await sql.query(`delete from ${qualified(schema.name, 'comparison_results')} where run = $1`, [run]);
      await sql.query(
        `update ${qualified(schema.name, 'capture_groups')} set claimed_at = null, settled_reason = null where run = $1`,
        [run],
      );
      // Every phase starts from the same tables: no dead rows left by the phase before.
      await sql.exec(
        `vacuum analyze ${qualified(schema.name, 'comparison_results')}, ${qualified(schema.name, 'capture_groups')}, ${qualified(schema.name, 'captured_messages')}`,
      );
    };
    const checkOutcomes = async (phase: string) => {
      const summary = await store.summary(run);
      const same =
        summary.compared === groups &&
        JSON.stringify(sorted(summary.byOutcome)) === JSON.stringify(sorted(expected));
      if (!same) {
        throw new Error(
          `${phase}: expected ${groups} groups compared with ${JSON.stringify(sorted(expected))}, found ${summary.compared} with ${JSON.stringify(summary.byOutcome)}`,
        );
      }
    };
    const report = (phase: PhaseFigures, extra = '') =>
      process.stdout.write(
        `${phase.name}, ${phase.workers} ${phase.workers === 1 ? 'worker' : 'workers'}: ${format(phase.groupsPerSecond)} groups/s (${format(phase.groupsPerSecond / phase.workers)} per worker), ${format(phase.seconds, 1)} s${extra}\n  ${cpuText(phase.cpu)}; ${phase.counters}\n  RSS before ${mib(phase.rss.before)} MiB, at 10% ${mib(phase.rss.atTenPercent)} MiB, at the end ${mib(phase.rss.end)} MiB, highest sample ${mib(phase.rss.max)} MiB\n`,
      );

    /** Server-wide (other work on the server counts too): commits in this database and WAL flushes. */
    const serverCounters = async () => {
      const { rows } = await sql.query(
        `select (select wal_sync from pg_stat_wal) as syncs,
           (select xact_commit from pg_stat_database where datname = current_database()) as commits`,
      );
      return { syncs: Number(rows[0]?.syncs), commits: Number(rows[0]?.commits) };
    };
    const countersText = (
      before: { syncs: number; commits: number },
      after: { syncs: number; commits: number },
      seconds: number,
    ) =>
      `PostgreSQL ${format((after.commits - before.commits) / seconds)} commits/s, ${format((after.syncs - before.syncs) / seconds)} WAL flushes/s`;
    const figures: PhaseFigures[] = [];
    const dispatchBus = createBus({ transport: new RabbitMqTransport({ url: vhost.url }) });
    await dispatchBus.start();
    try {
      for (const workers of [1, 2]) {
        await resetRun();
        const dispatcher = new SettledGroupDispatcher({
          bus: dispatchBus,
          store,
          run,
          rule: { ...suite.settle, limit: 1_000 },
        });
        const dispatch = await measured(
          () => dispatcher.dispatched / groups,
          async () => {
            while ((await dispatcher.dispatchOnce()) > 0) {}
          },
        );
        process.stdout.write(
          `dispatch: ${format(dispatcher.dispatched)} work items claimed and sent in ${format(dispatch.seconds, 1)} s (${format(dispatcher.dispatched / dispatch.seconds)}/s)\n  ${cpuText(dispatch.cpu)}\n`,
        );
        let startSeconds = 0;
        let progress = () => 0;
        const countersBefore = await serverCounters();
        const compare = await measured(
          () => progress(),
          async () => {
            const started = performance.now();
            const handle = await startComparisonWorkers({
              workers,
              suite: fileURLToPath(import.meta.url),
              store: { url, schema: schema.name },
              transport: { kind: 'rabbitmq', url: vhost.url },
              concurrency,
            });
            startSeconds = (performance.now() - started) / 1000;
            progress = () => handle.compared() / expectedResults;
            try {
              await until(() => handle.compared(), expectedResults);
              return handle.comparedByWorker();
            } finally {
              await handle.stop();
            }
          },
        );
        // Backends report their counts within a second of going idle.
        await new Promise((resolve) => setTimeout(resolve, 1_100));
        const counters = countersText(countersBefore, await serverCounters(), compare.seconds);
        await checkOutcomes(`switchyard with ${workers} workers`);
        const phase: PhaseFigures = {
          name: 'switchyard',
          workers,
          groupsPerSecond: groups / compare.seconds,
          seconds: compare.seconds,
          cpu: compare.cpu,
          counters,
          rss: compare.rss,
        };
        figures.push(phase);
        report(
          phase,
          ` (threads started in ${format(startSeconds, 2)} s; results per thread ${compare.result.join(' / ')})`,
        );
      }
    } finally {
      await dispatchBus.stop();
    }

    for (const loops of [1, 2]) {
      await resetRun();
      let rawCompared = 0;
      const countersBefore = await serverCounters();
      const raw = await measured(
        () => rawCompared / groups,
        () =>
          Promise.all(
            Array.from({ length: loops }, (_, part) =>
              rawLoop(url, schema.name, part, loops, () => {
                rawCompared += 1;
              }),
            ),
          ),
      );
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const counters = countersText(countersBefore, await serverCounters(), raw.seconds);
      await checkOutcomes(`raw pg with ${loops} loops`);
      const phase: PhaseFigures = {
        name: 'raw pg',
        workers: loops,
        groupsPerSecond: groups / raw.seconds,
        seconds: raw.seconds,
        cpu: raw.cpu,
        counters,
        rss: raw.rss,
      };
      figures.push(phase);
      report(phase);
    }

    const rate = (name: string, workers: number) =>
      figures.find((each) => each.name === name && each.workers === workers)?.groupsPerSecond ?? Number.NaN;
    process.stdout.write(
      [
        `switchyard 1 → 2 workers: ${format(rate('switchyard', 2) / rate('switchyard', 1), 2)}×`,
        `raw pg 1 → 2 loops: ${format(rate('raw pg', 2) / rate('raw pg', 1), 2)}×`,
        `switchyard / raw pg, 1: ${format(rate('switchyard', 1) / rate('raw pg', 1), 2)}, 2: ${format(rate('switchyard', 2) / rate('raw pg', 2), 2)}`,
        `peak RSS of the process (maxRSS, all threads, seeding included): ${mib(process.resourceUsage().maxRSS * 1024)} MiB`,
        '',
      ].join('\n'),
    );
  }, cleanup);
}

function sorted(record: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** Waits until `count()` reaches `target`; fails when it stops moving for a minute. */
async function until(count: () => number, target: number): Promise<void> {
  let last = count();
  let lastMove = performance.now();
  while (count() < target) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (count() !== last) {
      last = count();
      lastMove = performance.now();
    } else if (performance.now() - lastMove > 60_000) {
      throw new Error(`no result recorded for 60 s: ${last} of ${target}`);
    }
  }
}

// The worker threads load this file for its suite: only the main thread runs the benchmark.
if (isMainThread) await main();
