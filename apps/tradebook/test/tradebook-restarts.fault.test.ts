import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBus } from '@switchyard/bus';
import { defaultAccounts, readLedger } from '@switchyard/legacy-core';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import {
  type ListeningProcess,
  postgresForTests,
  rabbitmqForTests,
  startListeningProcess,
  type TestDatabase,
  type TestVhost,
} from '@switchyard/testing';
import { TradeFeed } from '../src/generator/trade-feed.ts';

const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();
const tradebookMain = join(import.meta.dirname, '..', 'src', 'main.ts');
const coreMain = join(import.meta.dirname, '..', '..', 'legacy-core', 'src', 'main.ts');

/** The core as its own process, on `port` (0: any), its journal in `journal`; resolves once it listens. */
async function startCore(journal: string, port: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      coreMain,
      ...[
        '--port',
        String(port),
        '--journal',
        journal,
        '--latency-median-ms',
        '5',
        '--latency-max-ms',
        '300',
      ],
      ...[
        '--fault-drop-before-booking',
        '0.03',
        '--fault-lost-reply',
        '0.03',
        '--fault-stall',
        '0.02',
        '--stall-ms',
        '1500',
      ],
    ],
    { stdio: ['ignore', 'pipe', 'ignore'], env: { PATH: process.env.PATH ?? '' } },
  );
  for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
    const event = JSON.parse(line) as { event?: string; port?: number };
    if (event.event === 'listening' && event.port) return { child, port: event.port };
  }
  throw new Error('the core ended before it listened');
}

async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('tradebook through kill -9 and a core restart, on RabbitMQ and PostgreSQL', {
  skip: postgres.skip || rabbitmq.skip,
}, () => {
  let database: TestDatabase;
  let vhost: TestVhost;
  let folder: string;
  const children: ChildProcess[] = [];
  before(async () => {
    database = await postgres.createDatabase();
    vhost = await rabbitmq.createVhost();
    folder = await mkdtemp(join(tmpdir(), 'tradebook-restarts-'));
  });
  after(async () => {
    for (const child of children) await killHard(child);
    await vhost?.delete();
    await database?.drop();
    await rm(folder, { recursive: true, force: true });
  });

  it('still books each allocation exactly once', { timeout: 600_000 }, async () => {
    const journal = join(folder, 'journal.dat');
    let core = await startCore(journal, 0);
    children.push(core.child);
    const tradebookEnv = {
      DATABASE_URL: database.url,
      RABBITMQ_URL: vhost.url,
      SWITCHYARD_HTTP__PORT: '0',
      SWITCHYARD_LOG__FORMAT: 'json',
      TRADEBOOK_CORE_PORT: String(core.port),
      TRADEBOOK_CORE_TIMEOUT_MS: '1000',
      TRADEBOOK_CORE_IN_DOUBT_MS: '2000',
    };
    const start = async () => {
      const started: ListeningProcess = await startListeningProcess(tradebookMain, { env: tradebookEnv });
      children.push(started.child);
      return started;
    };
    let tradebook = await start();

    const bus = createBus({ transport: new RabbitMqTransport({ url: vhost.url }) });
    await bus.start();
    const tradeIds: string[] = [];
    const feed = new TradeFeed(bus, {
      prefix: 'K',
      accounts: defaultAccounts.filter((account) => account !== '90000001'),
      trades: 300,
      ratePerSecond: 30,
      seed: 11,
      duplicateShare: 0.1,
      onTrade: (trade) => tradeIds.push(trade.tradeId),
    });
    const feeding = feed.run();

    // A third of the way in, tradebook dies mid-booking and comes back; then the core does.
    await sleep(3_000);
    await killHard(tradebook.child);
    tradebook = await start();
    await sleep(2_000);
    await killHard(core.child);
    await sleep(500);
    core = await startCore(journal, core.port);
    children.push(core.child);
    const sent = await feeding;
    await bus.stop();
    assert.equal(sent.trades, 300);

    const deadline = Date.now() + 400_000;
    let summary = { booked: 0, cancelled: 0, openExceptions: 0 };
    while (summary.booked + summary.cancelled < sent.trades) {
      assert.ok(Date.now() < deadline, `not all decided: ${JSON.stringify(summary)}`);
      await sleep(1_000);
      summary = (await (await fetch(`${tradebook.url}/trades/summary`)).json()) as typeof summary;
    }
    assert.equal(summary.openExceptions, 0);

    // The core's own journal, read from disk: one posting per reference, debits equal credits.
    const ledger = readLedger(journal);
    assert.equal(ledger.balanced, true);
    const byRef = new Map<string, number>();
    for (const posting of ledger.postings)
      byRef.set(posting.clientReference, (byRef.get(posting.clientReference) ?? 0) + 1);
    assert.deepEqual(
      [...byRef].filter(([, count]) => count > 1),
      [],
      'no reference booked twice',
    );
    // Every booked trade's postings are in the core, once.
    for (const tradeId of tradeIds.slice(0, 60)) {
      const trade = (await (await fetch(`${tradebook.url}/trades/${tradeId}`)).json()) as {
        state: string;
        postings: { clientRef: string; status: string }[];
      };
      assert.ok(['Booked', 'Cancelled'].includes(trade.state), `${tradeId} ${trade.state}`);
      for (const posting of trade.postings.filter((each) => each.status === 'booked')) {
        assert.equal(byRef.get(posting.clientRef), 1, `${tradeId} ${posting.clientRef}`);
      }
    }
  });
});
