/**
 * Switchyard next to its peers, in one run and one table: the RabbitMQ bus against raw amqplib and
 * @node-ts/bus (throughput, and latency at a fixed rate), the PostgreSQL transport against pg-boss,
 * and the saga runtime and stores on PostgreSQL against the same steps in hand-written SQL. Each
 * area is the existing benchmark's module (the same work, settings and warm-up as its standalone
 * script) run at one scale, so the figures of one table come from one sitting of one machine. An
 * area that fails (a server restarted under it) shows why in its rows and the others still run; a
 * peer that cannot be loaded shows "not installable" with the reason.
 *
 *   npm run bench -- --peers [--messages 10000] [--runs 3] [--rate 2000] [--only rabbitmq,postgres,saga]
 *
 * `--messages` is the round size everywhere: messages for RabbitMQ and the PostgreSQL queue, events
 * and transactions for the sagas, and the latency rounds' message count (sent at `--rate` msg/s).
 * The defaults take about five minutes on two shared cores.
 */
import { peersHeader } from './peers/header.ts';
import { type PeersOptions, parsePeersArguments } from './peers/options.ts';
import { postgresRows } from './peers/postgres-area.ts';
import { rabbitMqRows } from './peers/rabbitmq-area.ts';
import { sagaRows } from './peers/saga-area.ts';
import { formatPeerTable, type PeerRow } from './peers/table.ts';

/** Runs the chosen areas in turn and prints the header, the table, each path's rounds and the time. */
export async function runPeers(options: PeersOptions): Promise<void> {
  const started = performance.now();
  const settings =
    `${options.messages.toLocaleString('en-US')} messages (events, transactions) a round, ` +
    `${options.runs} measured round(s) a path after an unmeasured one, medians; ` +
    `latency at ${options.rate.toLocaleString('en-US')} msg/s; areas: ${[...options.only].join(', ')}`;
  process.stdout.write(`${await peersHeader(settings)}\n`);
  const rows: PeerRow[] = [];
  const notes: string[] = [];
  if (options.only.has('rabbitmq')) rows.push(...(await rabbitMqRows(options, notes)));
  if (options.only.has('postgres')) rows.push(...(await postgresRows(options, notes)));
  if (options.only.has('saga')) rows.push(...(await sagaRows(options, notes)));
  const caveat = options.only.has('rabbitmq')
    ? '@node-ts/bus publishes without confirms and without persistence, and receives with basic.get ' +
      '(see bench/peers/node-ts-bus.ts): it does less work per message than the other RabbitMQ paths.\n'
    : '';
  const minutes = (performance.now() - started) / 60_000;
  process.stdout.write(
    `${formatPeerTable(rows)}\nRounds:\n${notes.map((note) => `  ${note}\n`).join('')}${caveat}` +
      `Took ${minutes.toFixed(1)} min; RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB\n`,
  );
}

if (import.meta.main) await runPeers(parsePeersArguments(process.argv.slice(2)));
