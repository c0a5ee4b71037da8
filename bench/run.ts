/**
 * `npm run bench`: the in-memory bus benchmark, as `npm run bench` always ran it (arguments passed
 * on: `npm run bench -- 20000 5`). `npm run bench -- --peers [--messages N] [--runs R] [--rate M]
 * [--only rabbitmq,postgres,saga]`: Switchyard next to its peers in one table (peers.bench.ts).
 * `npm run bench -- --slots [rate] [switches] [interval] [steady] [raw]`: blue/green switches under a
 * fixed rate, next to raw amqplib (slots-switch.bench.ts; needs RABBITMQ_URL).
 * `npm run bench -- --regression [groups] [concurrency]`: settled groups compared by 1 and 2 worker
 * threads, next to a raw pg loop (regression-compare.bench.ts; needs DATABASE_URL and RABBITMQ_URL).
 * `npm run bench -- --tradebook [--trades N] [--runs R] [--faults] [--embedded] [--shared-core]`: tradebook's postings a
 * second end to end, next to the raw core client and the core's capacity (tradebook.bench.ts).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
if (args.includes('--peers')) {
  const { runPeers } = await import('./peers.bench.ts');
  const { parsePeersArguments } = await import('./peers/options.ts');
  await runPeers(parsePeersArguments(args.filter((arg) => arg !== '--peers')));
} else if (args.includes('--slots')) {
  // Its own process too: it runs on load, with positional arguments.
  const script = fileURLToPath(new URL('./slots-switch.bench.ts', import.meta.url));
  const rest = args.filter((arg) => arg !== '--slots');
  const child = spawnSync(process.execPath, [...process.execArgv, script, ...rest], { stdio: 'inherit' });
  process.exitCode = child.status ?? 1;
} else if (args.includes('--regression')) {
  // Its own process: it runs on load, with positional arguments, and its worker threads load it too.
  const script = fileURLToPath(new URL('./regression-compare.bench.ts', import.meta.url));
  const rest = args.filter((arg) => arg !== '--regression');
  const child = spawnSync(process.execPath, [...process.execArgv, script, ...rest], { stdio: 'inherit' });
  process.exitCode = child.status ?? 1;
} else if (args.includes('--tradebook')) {
  const script = fileURLToPath(new URL('./tradebook.bench.ts', import.meta.url));
  const child = spawnSync(process.execPath, [...process.execArgv, script, ...args], { stdio: 'inherit' });
  process.exitCode = child.status ?? 1;
} else {
  // Its own process, as before: the script runs on load and reads its arguments from process.argv.
  const script = fileURLToPath(new URL('./bus-memory.bench.ts', import.meta.url));
  const child = spawnSync(process.execPath, [...process.execArgv, script, ...args], { stdio: 'inherit' });
  process.exitCode = child.status ?? 1;
}
