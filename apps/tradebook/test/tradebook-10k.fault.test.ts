import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it, type TestContext } from 'node:test';
import { type Bus, createBus } from '@switchyard/bus';
import { createHost, loadHostConfig } from '@switchyard/host';
import { type LegacyCoreProcess, spawnLegacyCore } from '@switchyard/legacy-core';
import { connectPostgres, type SqlExecutor } from '@switchyard/postgres';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import { postgresForTests, rabbitmqForTests, startListeningProcess } from '@switchyard/testing';
import { coreFor, tradebookModules } from '../src/index.ts';
import { CountingCore } from './support/counting-core.ts';
import {
  feedWithBatchWindow,
  journalFigures,
  unsettledTrades,
  waitUntilSettled,
} from './support/fault-run.ts';

// The acceptance test: 10,000 trades with disorder, duplicates and every core fault on, and the
// core's own ledger shows exactly one posting per allocation, debits equal credits, and no trade stuck
// without an exception raised. Once with tradebook as its own process on RabbitMQ and PostgreSQL, once
// embedded in the test (PGlite in memory, carrying the transport's queues too); the core is its own
// process both times. The embedded run is the slower (about 8 minutes on 2 cores): every queue, saga,
// journal row and scheduled retry goes through PGlite's one connection, in this process.

const trades = 10_000;
const coreSessions = 4;
// One session more than the core allows: whenever the core's are all busy, tradebook's next logon is
// refused (about one posting in six here is put off so), and booking must cope.
const tradebookSessions = coreSessions + 1;
const timeoutMs = 1_000;
// The core books a posting the moment it reads it: the client's timeout plus a margin covers it.
const inDoubtMs = 2_000;
const tradebookMain = join(import.meta.dirname, '..', 'src', 'main.ts');

/** The core with every fault on, fast enough (3 ms median) that 10,000 trades take minutes. */
async function spawnFaultyCore(journal: string, seed: number): Promise<LegacyCoreProcess> {
  return spawnLegacyCore(
    {
      port: 0,
      journal,
      seed,
      'max-sessions': coreSessions,
      'latency-median-ms': 3,
      'latency-sigma': 0.6,
      'latency-max-ms': 200,
      'fault-drop-before-booking': 0.02,
      'fault-lost-reply': 0.02,
      'fault-stall': 0.01,
      // Beyond the client's timeout: the reply comes after the client gave up on it.
      'stall-ms': 2_500,
    },
    // Its log is a warning per refused logon: thousands here. Its journal is what the test reads.
    { stderr: 'ignore' },
  );
}

interface Encounters {
  readonly batchRefusals: number;
  readonly sessionLimitRefusals: number;
}

/**
 * Feeds the trades with the batch window switched on for a few seconds mid-run, waits for the ledger
 * to come right, and checks everything the issue asks, from the core's journal and the generated trades.
 */
async function runAndCheck(
  t: TestContext,
  setup: {
    readonly url: string;
    readonly bus: Bus;
    readonly core: LegacyCoreProcess;
    readonly journal: string;
    readonly sql: SqlExecutor;
    readonly prefix: string;
    readonly seed: number;
    readonly encounters: () => Encounters;
  },
): Promise<void> {
  const started = Date.now();
  const fed = await feedWithBatchWindow({
    bus: setup.bus,
    core: setup.core,
    prefix: setup.prefix,
    trades,
    ratePerSecond: 250,
    seed: setup.seed,
    batchAfterMs: 15_000,
    batchForMs: 4_000,
  });
  const fedSeconds = (Date.now() - started) / 1000;
  assert.equal(fed.report.trades, trades);
  assert.ok(fed.report.duplicates > 0, 'the feed sent duplicates');
  t.diagnostic(
    `fed ${fed.report.trades} trades, ${fed.report.messages} messages (${fed.report.duplicates} duplicates) in ${fedSeconds.toFixed(0)} s; batch window on at ${fed.batchWindow.onAt} ms, off at ${fed.batchWindow.offAt} ms`,
  );

  const settled = await waitUntilSettled({
    url: setup.url,
    journalPath: setup.journal,
    trades: fed.trades,
    deadline: started + 13 * 60_000,
    quietMs: 90_000,
    progress: (text) => t.diagnostic(`${((Date.now() - started) / 1000).toFixed(0)} s: ${text}`),
  });
  const seconds = (Date.now() - started) / 1000;
  const { unsettled, exceptions } = await unsettledTrades(setup.url, fed.trades);
  const journal = await journalFigures(setup.sql, settled.ledger);
  const encounters = setup.encounters();
  const cancelled = fed.trades.filter((trade) => trade.cancelled).length;
  const amended = fed.trades.filter((trade) => trade.amended && !trade.cancelled).length;
  t.diagnostic(
    `trades ${trades} (${amended} amended, ${cancelled} cancelled); postings ${settled.ledger.postings.length} ` +
      `(${settled.check.bookings} bookings, ${settled.check.reversals} reversals); seconds ${seconds.toFixed(0)}; ` +
      `enquiries ${journal.enquiries} (${journal.enquired} references, ${journal.foundByEnquiry} lost replies found); ` +
      `resends ${journal.resends} (${journal.resentAfterEnquiry} after an enquiry found nothing); ` +
      `batch-window refusals ${encounters.batchRefusals}; logons refused at the session limit ${encounters.sessionLimitRefusals}`,
  );

  // The core's own ledger, computed independently from the generated trades.
  assert.deepEqual(
    settled.check.problems.slice(0, 20),
    [],
    `${settled.check.problems.length} problems in the ledger`,
  );
  assert.equal(settled.converged, true);

  // No trade stuck silently: each is booked at its final version or cancelled, or in an exception; and
  // with these faults (all recoverable) none should need a person.
  const excepted = new Set(exceptions.exceptions.map((each) => each.tradeId));
  assert.deepEqual(
    unsettled.filter((each) => !excepted.has(each.tradeId)).slice(0, 20),
    [],
    'trades neither booked, cancelled nor in an exception',
  );
  assert.deepEqual(exceptions.exceptions.slice(0, 20), [], 'trades in an exception');
  assert.equal(exceptions.total, 0);
  assert.deepEqual(unsettled.slice(0, 20), []);
  assert.equal(settled.summary.booked + settled.summary.cancelled, trades);
  assert.equal(settled.summary.cancelled, cancelled);

  // Booking's journal agrees with the core and shows decision 0031 at work: lost replies found by an
  // enquiry (sent once, booked), and sends again only where an enquiry found nothing (the ledger above
  // holds every reference once, so none of them booked twice).
  assert.deepEqual(journal.notBooked.slice(0, 20), [], 'journal rows left unbooked');
  assert.deepEqual(journal.disagreeing.slice(0, 20), [], 'journal and ledger disagree');
  assert.equal(journal.rows, settled.ledger.postings.length);
  assert.ok(journal.foundByEnquiry > 0, 'lost replies found by enquiry');
  assert.ok(journal.resentAfterEnquiry > 0, 'postings sent again after an enquiry found nothing');
  // The faults switched on were met, not only set.
  assert.ok(encounters.batchRefusals > 0, 'postings refused in the batch window');
  assert.ok(encounters.sessionLimitRefusals > 0, 'logons refused at the session limit');
}

describe('10,000 trades, every core fault on', () => {
  it('on RabbitMQ and PostgreSQL, tradebook its own process: one posting per allocation in the core', {
    timeout: 900_000,
  }, async (t) => {
    const postgres = await postgresForTests();
    const rabbitmq = await rabbitmqForTests();
    if (postgres.skip || rabbitmq.skip) {
      t.skip(`needs PostgreSQL and RabbitMQ: ${postgres.skip || rabbitmq.skip}`);
      return;
    }
    const database = await postgres.createDatabase();
    const vhost = await rabbitmq.createVhost();
    const folder = await mkdtemp(join(tmpdir(), 'tradebook-10k-'));
    const journal = join(folder, 'journal.dat');
    const core = await spawnFaultyCore(journal, 21);
    t.after(async () => {
      await core.kill();
      await rm(folder, { recursive: true, force: true });
    });
    const tradebook = await startListeningProcess(tradebookMain, {
      env: {
        DATABASE_URL: database.url,
        RABBITMQ_URL: vhost.url,
        SWITCHYARD_HTTP__PORT: '0',
        SWITCHYARD_LOG__FORMAT: 'json',
        SWITCHYARD_LOG__LEVEL: 'info',
        TRADEBOOK_CORE_HOST: core.host,
        TRADEBOOK_CORE_PORT: String(core.port),
        TRADEBOOK_CORE_SESSIONS: String(tradebookSessions),
        TRADEBOOK_CORE_TIMEOUT_MS: String(timeoutMs),
        TRADEBOOK_CORE_IN_DOUBT_MS: String(inDoubtMs),
      },
    });
    // Counted from its log as it goes (the process keeps only the last megabytes of it).
    const encounters = { batchRefusals: 0, sessionLimitRefusals: 0, bookedTwice: [] as string[] };
    const stdout = tradebook.child.stdout;
    assert.ok(stdout);
    createInterface({ input: stdout }).on('line', (line) => {
      if (line.includes('the core is closed')) encounters.batchRefusals += 1;
      if (line.includes('SESSION LIMIT')) encounters.sessionLimitRefusals += 1;
      if (line.includes('booked twice')) encounters.bookedTwice.push(line);
    });
    const sql = connectPostgres({ url: database.url, maxConnections: 2 });
    const bus = createBus({ transport: new RabbitMqTransport({ url: vhost.url }) });
    t.after(async () => {
      await bus.stop();
      await sql.close();
      if (tradebook.child.exitCode === null && tradebook.child.signalCode === null) {
        const exited = new Promise((resolve) => tradebook.child.once('exit', resolve));
        tradebook.child.kill('SIGTERM');
        await exited;
      }
      await vhost.delete();
      await database.drop();
    });
    await bus.start();

    await runAndCheck(t, {
      url: tradebook.url,
      bus,
      core,
      journal,
      sql,
      prefix: `Q${Date.now().toString(36).toUpperCase()}`,
      seed: 101,
      encounters: () => encounters,
    });
    assert.deepEqual(encounters.bookedTwice, [], 'booking logged a reference booked twice');
  });

  it('embedded (PGlite in memory): one posting per allocation in the core', {
    timeout: 900_000,
  }, async (t) => {
    const folder = await mkdtemp(join(tmpdir(), 'tradebook-10k-embedded-'));
    const journal = join(folder, 'journal.dat');
    const core = await spawnFaultyCore(journal, 22);
    t.after(async () => {
      await core.kill();
      await rm(folder, { recursive: true, force: true });
    });
    const connection = {
      host: core.host,
      port: core.port,
      sessions: tradebookSessions,
      timeoutMs,
      inDoubtMs,
    };
    const { core: ledger, client } = coreFor(connection);
    const counting = new CountingCore(ledger);
    const { config } = loadHostConfig({
      cwd: folder,
      env: {
        SWITCHYARD_DATABASE__DATA_DIR: 'memory',
        SWITCHYARD_HTTP__PORT: '0',
        SWITCHYARD_LOG__LEVEL: 'error',
      },
    });
    const host = createHost({
      config,
      modules: tradebookModules({
        core: counting,
        connection,
        retryAfterMs: 500,
        incompleteAfterMs: 15 * 60_000,
        bookingOverdueAfterMs: 15 * 60_000,
      }),
    });
    const url = await host.start();
    t.after(async () => {
      await host.stop();
      await client.close();
    });
    const { bus, sql } = host;
    assert.ok(bus && sql);

    await runAndCheck(t, {
      url,
      bus,
      core,
      journal,
      sql,
      prefix: `E${Date.now().toString(36).toUpperCase()}`,
      seed: 202,
      encounters: () => counting.encounters,
    });
  });
});
