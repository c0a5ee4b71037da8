/**
 * Tradebook end to end against the legacy core's capacity, the physical limit of the system: a core
 * takes `sessions` postings at once and holds each for its latency, so it books at most sessions ÷
 * mean latency postings a second, whoever its client is.
 *
 * Each round, on a fresh core process (its own journal; default latency, lognormal with a 20 ms median;
 * 4 sessions):
 * - raw: `LegacyCoreClient` with 4 sessions, 4 loops posting back to back, distinct references, no
 *   journal, no bus: what the core gives a client that does nothing else. Its mean latency gives the
 *   capacity sessions ÷ mean latency.
 * - tradebook: a fresh core again, then the host with tradebook's modules in this process (on
 *   PostgreSQL and RabbitMQ when DATABASE_URL and RABBITMQ_URL are set and --embedded is not given;
 *   else PGlite in a temporary folder, with the PostgreSQL transport on it) and the seeded feed
 *   sending `trades` trades (disorder, 10% duplicates) as fast as the bus takes them. Whole run: the
 *   core's own count of postings over the time from the feed's start to the last trade decided.
 *   Steady: while the core's journal grew from 10% to 90% of its final size. Each is set against
 *   raw's postings a second and against the capacity.
 * - with --faults, one more tradebook round per round with the core dropping 2% of sessions before
 *   booking, losing 2% of replies after booking and stalling 1% for 6 s; raw has nothing to compare
 *   there (it cannot book exactly once), so the figure stands against the capacity without faults.
 * Each round checks the core's ledger: balanced, no reference booked twice.
 *
 * The core process runs at a higher priority (nice -10), standing for a system on machines of its own;
 * `--shared-core` leaves it at normal priority, sharing the two cores with everything else.
 *
 *   DATABASE_URL=… RABBITMQ_URL=… npm run bench -- --tradebook [--trades 3000] [--runs 3] [--faults] [--embedded] [--shared-core]
 */
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createHost, loadHostConfig } from '@switchyard/host';
import {
  defaultAccounts,
  LegacyCoreClient,
  type LegacyCoreProcess,
  readLedger,
  spawnLegacyCore,
} from '@switchyard/legacy-core';
import { postgresForTests, rabbitmqForTests } from '@switchyard/testing';
import { coreFor, TradeFeed, tradebookModules } from '@switchyard/tradebook';
import { median } from './support/measure.ts';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--tradebook'),
  options: {
    trades: { type: 'string', default: '3000' },
    runs: { type: 'string', default: '3' },
    'raw-postings': { type: 'string', default: '4000' },
    faults: { type: 'boolean', default: false },
    embedded: { type: 'boolean', default: false },
    'shared-core': { type: 'boolean', default: false },
  },
});
const say = (text: string) => process.stdout.write(`${text}\n`);
const trades = Number(values.trades);
const runs = Number(values.runs);
const rawPostings = Number(values['raw-postings']);
const sessions = 4;
const faultFlags = {
  'fault-drop-before-booking': 0.02,
  'fault-lost-reply': 0.02,
  'fault-stall': 0.01,
  'stall-ms': 6_000,
};
const onServers = !values.embedded && process.env.DATABASE_URL && process.env.RABBITMQ_URL;

async function withCore<T>(
  flags: Record<string, string | number>,
  work: (core: LegacyCoreProcess, journal: string) => Promise<T>,
): Promise<T> {
  const folder = await mkdtemp(join(tmpdir(), 'bench-core-'));
  const journal = join(folder, 'journal.dat');
  const core = await spawnLegacyCore({ port: 0, journal, 'max-sessions': sessions, ...flags });
  if (!values['shared-core'] && core.child.pid !== undefined) {
    // The core stands for a system on machines of its own. On two shared cores its timers and fsyncs
    // would otherwise wait behind tradebook, PostgreSQL and RabbitMQ, and its latency rise with their
    // load; a higher priority gives it the CPU it asks for (--shared-core leaves it as it is).
    try {
      setPriority(core.child.pid, -10);
    } catch (error) {
      say(`the core runs at normal priority (${(error as Error).message})`);
    }
  }
  try {
    return await work(core, journal);
  } finally {
    await core.stop();
    await rm(folder, { recursive: true, force: true });
  }
}

/** The raw client: sessions loops posting back to back; postings a second and the mean latency. */
async function raw(): Promise<{ perSecond: number; meanLatencyMs: number }> {
  return withCore({}, async (core) => {
    const client = new LegacyCoreClient({ host: core.host, port: core.port, maxSessions: sessions });
    let next = 0;
    let latencyTotal = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: sessions }, async () => {
        while (next < rawPostings) {
          const index = next++;
          const sent = performance.now();
          const result = await client.post({
            clientReference: `RAW${index}`,
            debitAccount: '10000001',
            creditAccount: '90000001',
            amountMinor: 100 + index,
            currency: 'GBP',
            valueDate: new Date().toISOString().slice(0, 10),
          });
          latencyTotal += performance.now() - sent;
          if (result.outcome !== 'booked') throw new Error(`raw posting ${index}: ${result.outcome}`);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await client.close();
    return { perSecond: rawPostings / seconds, meanLatencyMs: latencyTotal / rawPostings };
  });
}

interface TradebookRound {
  /** From the feed's start to the last trade decided. */
  readonly postingsPerSecond: number;
  readonly tradesPerSecond: number;
  /** While the core booked the middle 80% of the postings: start-up and the last stragglers left out. */
  readonly steadyPostingsPerSecond: number;
  readonly steadyTradesPerSecond: number;
  /**
   * The core's mean latency as tradebook's client saw it (from request to reply: on two cores the core
   * shares the CPU with everything else), and the share of the run's session time spent in exchanges.
   */
  readonly meanPostLatencyMs: number;
  readonly sessionsBusy: number;
  readonly postings: number;
}

/** Tradebook from the feed's start to the last trade decided, on a fresh core, database and broker. */
async function tradebook(faults: boolean): Promise<TradebookRound> {
  return withCore(faults ? faultFlags : {}, async (core, journal) => {
    const env: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      SWITCHYARD_HTTP__PORT: '0',
      SWITCHYARD_LOG__LEVEL: 'error',
      // Settings to try (SWITCHYARD_DATABASE__MAX_CONNECTIONS=…) pass through.
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('SWITCHYARD_'))),
    };
    const cleanups: (() => Promise<void>)[] = [];
    if (onServers) {
      const database = await (await postgresForTests()).createDatabase();
      const vhost = await (await rabbitmqForTests()).createVhost();
      cleanups.push(
        () => database.drop(),
        () => vhost.delete(),
      );
      env.DATABASE_URL = database.url;
      env.RABBITMQ_URL = vhost.url;
    } else {
      const folder = await mkdtemp(join(tmpdir(), 'bench-tradebook-'));
      cleanups.push(() => rm(folder, { recursive: true, force: true }));
      env.SWITCHYARD_DATABASE__DATA_DIR = folder;
    }
    const connection = { host: core.host, port: core.port, sessions, timeoutMs: 5_000, inDoubtMs: 8_000 };
    const { core: ledger, client } = coreFor(connection);
    const host = createHost({
      config: loadHostConfig({ env, cwd: process.cwd() }).config,
      modules: tradebookModules({ core: ledger, connection }),
      title: 'Tradebook',
      version: 'bench',
    });
    const url = await host.start();
    try {
      const bus = host.bus;
      if (!bus) throw new Error('tradebook did not start its bus');
      const started = performance.now();
      // The journal's size over time: postings are records of nearly one length, so the times it
      // passed a tenth and nine tenths of its final size bound the core's steady booking.
      const sizes: { at: number; bytes: number }[] = [];
      const sampler = setInterval(() => {
        sizes.push({ at: performance.now(), bytes: existsSync(journal) ? statSync(journal).size : 0 });
      }, 100);
      const feeding = new TradeFeed(bus, {
        prefix: `B${Date.now().toString(36)}`,
        accounts: defaultAccounts.filter((account) => account !== '90000001'),
        trades,
        ratePerSecond: 100_000,
        seed: 5,
      }).run();
      // Awaited after the trades are decided; until then a failed feed must not end the process unseen.
      feeding.catch(() => {});
      for (;;) {
        const summary = (await (await fetch(`${url}/trades/summary`)).json()) as {
          booked: number;
          cancelled: number;
          openExceptions: number;
        };
        if (summary.openExceptions > 0) throw new Error(`exceptions: ${JSON.stringify(summary)}`);
        if (summary.booked + summary.cancelled >= trades) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await feeding;
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      const finalBytes = statSync(journal).size;
      const passed = (share: number) =>
        sizes.find((sample) => sample.bytes >= share * finalBytes)?.at ?? Number.NaN;
      const steadySeconds = (passed(0.9) - passed(0.1)) / 1000;
      const ledgerNow = readLedger(journal);
      const references = new Set(ledgerNow.postings.map((posting) => posting.clientReference));
      if (!ledgerNow.balanced || references.size !== ledgerNow.postings.length)
        throw new Error('the core ledger is unbalanced or holds a reference twice');
      const postingsPerTrade = ledgerNow.postings.length / trades;
      return {
        postingsPerSecond: ledgerNow.postings.length / seconds,
        tradesPerSecond: trades / seconds,
        steadyPostingsPerSecond: (0.8 * ledgerNow.postings.length) / steadySeconds,
        steadyTradesPerSecond: (0.8 * ledgerNow.postings.length) / postingsPerTrade / steadySeconds,
        postings: ledgerNow.postings.length,
        meanPostLatencyMs: client.usage().sessionBusyMs / client.usage().exchanges,
        sessionsBusy: client.usage().sessionBusyMs / (seconds * 1000 * sessions),
      };
    } finally {
      await host.stop();
      await client.close();
      for (const cleanup of cleanups) await cleanup();
    }
  });
}

say(
  `Tradebook against the core's capacity: ${trades} trades a round, ${runs} rounds, ${sessions} sessions, ${onServers ? 'PostgreSQL + RabbitMQ' : 'embedded (PGlite and its PostgreSQL transport)'}${values.faults ? ', and a round with faults' : ''}; the core ${values['shared-core'] ? 'at normal priority' : 'at a higher priority (its own machine)'}`,
);
const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;
const describe = (round: TradebookRound, raw: number, capacity: number) =>
  `steady ${round.steadyPostingsPerSecond.toFixed(1)} postings/s = ${round.steadyTradesPerSecond.toFixed(1)} trades/s ` +
  `(${percent(round.steadyPostingsPerSecond, raw)} of raw, ${percent(round.steadyPostingsPerSecond, capacity)} of capacity), ` +
  `whole run ${round.postingsPerSecond.toFixed(1)} postings/s = ${round.tradesPerSecond.toFixed(1)} trades/s ` +
  `(${percent(round.postingsPerSecond, raw)} of raw), ${round.postings} postings; ` +
  `the core answered in ${round.meanPostLatencyMs.toFixed(1)} ms on average, sessions busy ${percent(round.sessionsBusy, 1)} of the run`;
const rows: { raw: number; capacity: number; book: TradebookRound; faulty?: TradebookRound }[] = [];
for (let round = 1; round <= runs; round += 1) {
  const rawRound = await raw();
  const capacity = (sessions * 1000) / rawRound.meanLatencyMs;
  const book = await tradebook(false);
  const faulty = values.faults ? await tradebook(true) : undefined;
  rows.push({ raw: rawRound.perSecond, capacity, book, ...(faulty ? { faulty } : {}) });
  say(
    `round ${round}: raw ${rawRound.perSecond.toFixed(1)} postings/s (mean latency ${rawRound.meanLatencyMs.toFixed(1)} ms, capacity ${capacity.toFixed(1)})`,
  );
  say(`  tradebook: ${describe(book, rawRound.perSecond, capacity)}`);
  if (faulty) say(`  with faults: ${describe(faulty, rawRound.perSecond, capacity)}`);
}
const medianOf = (pick: (row: (typeof rows)[number]) => number) => median(rows.map(pick));
say(
  `median: raw ${medianOf((row) => row.raw).toFixed(1)} postings/s, capacity ${medianOf((row) => row.capacity).toFixed(1)}; ` +
    `tradebook steady ${medianOf((row) => row.book.steadyPostingsPerSecond).toFixed(1)} postings/s ` +
    `(${medianOf((row) => row.book.steadyTradesPerSecond).toFixed(1)} trades/s): ` +
    `${(100 * medianOf((row) => row.book.steadyPostingsPerSecond / row.raw)).toFixed(1)}% of raw, ` +
    `${(100 * medianOf((row) => row.book.steadyPostingsPerSecond / row.capacity)).toFixed(1)}% of capacity; ` +
    `whole run ${(100 * medianOf((row) => row.book.postingsPerSecond / row.raw)).toFixed(1)}% of raw`,
);
const faultyRows = rows.flatMap((row) => (row.faulty ? [{ ...row.faulty, capacity: row.capacity }] : []));
if (faultyRows.length > 0) {
  const faultyMedian = (pick: (row: (typeof faultyRows)[number]) => number) => median(faultyRows.map(pick));
  say(
    `median with faults: steady ${faultyMedian((row) => row.steadyPostingsPerSecond).toFixed(1)} postings/s ` +
      `(${faultyMedian((row) => row.steadyTradesPerSecond).toFixed(1)} trades/s), ` +
      `${(100 * faultyMedian((row) => row.steadyPostingsPerSecond / row.capacity)).toFixed(1)}% of capacity without faults; ` +
      `whole run ${(100 * faultyMedian((row) => row.postingsPerSecond / row.capacity)).toFixed(1)}%`,
  );
}
