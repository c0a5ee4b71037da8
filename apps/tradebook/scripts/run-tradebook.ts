/**
 * `npm run tradebook`: the trade-booking reference system in one command, for a person to watch. It
 * starts the legacy core (its journal in data/legacy-core), tradebook (embedded in data/tradebook, or on
 * PostgreSQL and RabbitMQ when DATABASE_URL and RABBITMQ_URL are set) and a feed of the three streams,
 * prints progress every two seconds and, at the end, the core's own audit: postings, whether debits
 * equal credits, any reference booked twice. Options (after `--`): --trades N (default 500), --rate R
 * trades per second (default 50), --faults (the core drops sessions, loses replies and stalls),
 * --seed S, --keep (leave tradebook running afterwards, until Ctrl-C).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createHost, loadHostConfig } from '@switchyard/host';
import { defaultAccounts, readLedger, spawnLegacyCore } from '@switchyard/legacy-core';
import { coreFor, tradebookModules } from '../src/app.ts';
import { TradeFeed } from '../src/generator/trade-feed.ts';

const { values } = parseArgs({
  options: {
    trades: { type: 'string', default: '500' },
    rate: { type: 'string', default: '50' },
    seed: { type: 'string', default: '1' },
    faults: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const number = (name: 'trades' | 'rate' | 'seed', min: number) => {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < min) {
    process.stderr.write(`--${name} must be a whole number of at least ${min}, not "${values[name]}"\n`);
    process.exit(2);
  }
  return value;
};
const trades = number('trades', 1);
const rate = number('rate', 1);
const seed = number('seed', 0);
const root = resolve(import.meta.dirname, '..', '..', '..');
mkdirSync(join(root, 'data', 'legacy-core'), { recursive: true });

const journal = join(root, 'data', 'legacy-core', 'journal.dat');
// The core runs as its own process, as it would beside a real deployment.
const core = await spawnLegacyCore({
  port: 0,
  journal,
  seed,
  ...(values.faults
    ? {
        'fault-drop-before-booking': 0.02,
        'fault-lost-reply': 0.02,
        'fault-stall': 0.01,
        'stall-ms': 6_000,
      }
    : {}),
});
const connection = { host: core.host, port: core.port, sessions: 4, timeoutMs: 5_000, inDoubtMs: 8_000 };
const { core: ledger, client } = coreFor(connection);
const env: Record<string, string | undefined> = { ...process.env };
if (env.DATABASE_URL === undefined) env.SWITCHYARD_DATABASE__DATA_DIR ??= join(root, 'data', 'tradebook');
// The progress lines are the output here; the host's request log would bury them.
env.SWITCHYARD_LOG__LEVEL ??= 'warn';
const { config } = loadHostConfig({ env, cwd: root });
const host = createHost({
  config,
  modules: tradebookModules({ core: ledger, connection }),
  title: 'Tradebook',
  version: '0.1.0',
});
const url = await host.start();
const say = (text: string) => process.stdout.write(`${text}\n`);
say(
  `Legacy core on ${core.host}:${core.port}${values.faults ? ' (faults on)' : ''}; tradebook on ${url} (API: ${url}/docs)`,
);

const summary = async () =>
  (await (await fetch(`${url}/trades/summary`)).json()) as {
    booked: number;
    cancelled: number;
    openExceptions: number;
    firstDecidedAt: string | null;
    lastDecidedAt: string | null;
  };
const bus = host.bus;
if (!bus) throw new Error('tradebook did not start its bus');
const started = Date.now();
const progress = setInterval(() => {
  void summary().then((now) =>
    say(
      `${((Date.now() - started) / 1000).toFixed(0)} s: ${now.booked} booked, ${now.cancelled} cancelled, ${now.openExceptions} exceptions, ${readLedger(journal).postings.length} postings in the core`,
    ),
  );
}, 2_000);
const prefix = `R${Date.now().toString(36).toUpperCase()}`;
const sent = await new TradeFeed(bus, {
  prefix,
  accounts: defaultAccounts.filter((account) => account !== '90000001'),
  trades,
  ratePerSecond: rate,
  seed,
}).run();
say(
  `Fed ${sent.trades} trades (${prefix}-T0000000 to ${prefix}-T${String(sent.trades - 1).padStart(7, '0')}): ${sent.messages} messages, ${sent.duplicates} of them duplicates, out of order`,
);
for (;;) {
  const now = await summary();
  if (now.booked + now.cancelled + now.openExceptions >= sent.trades) break;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
}
clearInterval(progress);
const final = await summary();
const audit = readLedger(journal);
const refs = new Map<string, number>();
for (const posting of audit.postings)
  refs.set(posting.clientReference, (refs.get(posting.clientReference) ?? 0) + 1);
const twice = [...refs.values()].filter((count) => count > 1).length;
const seconds =
  final.firstDecidedAt && final.lastDecidedAt
    ? Math.max(1, Date.parse(final.lastDecidedAt) - started) / 1000
    : Number.NaN;
say(
  `Done: ${final.booked} booked, ${final.cancelled} cancelled, ${final.openExceptions} exceptions (GET ${url}/trades/exceptions), ${(final.booked / seconds).toFixed(1)} trades booked per second`,
);
say(
  `Core audit: ${audit.postings.length} postings, debits ${audit.balanced ? 'equal' : 'DO NOT equal'} credits, ${twice} references booked twice`,
);
if (values.keep) {
  say('Tradebook keeps running; Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
await host.stop();
await client.close();
await core.stop();
process.exitCode = audit.balanced && twice === 0 ? 0 : 1;
