/**
 * Order placement through HTTP: milkround's `POST /orders/one-off` (zod validation, the member's
 * discount, the cut-off in the customer's time zone, the order and its lines written in one
 * transaction, problem+json on refusal) next to a bare Fastify route that writes the same order and
 * lines with the raw driver (no validation, no pricing, no cut-off), on the same kind of database, in
 * the same run. Milkround runs as `npm start` runs it, in its own process (its RSS is read from /proc);
 * the raw server runs in the bench process; autocannon runs in a child process of its own.
 *
 * Modes: embedded (PGlite in memory, the PostgreSQL transport) always; PostgreSQL + RabbitMQ when
 * DATABASE_URL and RABBITMQ_URL are set (a fresh database and vhost, dropped afterwards). Prints, per
 * mode and side, requests/s and latency p50/p99 (medians of `runs` rounds of `seconds` each, after a
 * warm-up), the ratios, and the process RSS once Switchyard has run.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5672 \
 *     npx node bench/milkround-http.bench.ts [seconds=10] [connections=10] [runs=3]
 */
import { type ChildProcess, execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { postgresForTests, rabbitmqForTests, startListeningProcess } from '@switchyard/testing';
import Fastify from 'fastify';
import pg from 'pg';
import { median } from './support/measure.ts';

const print = (line: string) => process.stdout.write(`${line}\n`);

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 10);
const runs = Number(process.argv[4] ?? 3);
const autocannonBin = new URL('../node_modules/.bin/autocannon', import.meta.url).pathname;
const mainFile = new URL('../apps/milkround/src/main.ts', import.meta.url).pathname;

/** A week ahead, so the cut-off never refuses the order. */
const deliveryDate = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
const order = { customerId: 'demo-ada', deliveryDate, lines: [{ sku: 'milk-1pt', quantity: 2 }] };

interface Measured {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
}

async function load(url: string, duration: number): Promise<Measured> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      autocannonBin,
      '--json',
      '--connections',
      String(connections),
      '--duration',
      String(duration),
      '--method',
      'POST',
      '--headers',
      'content-type=application/json',
      '--body',
      JSON.stringify(order),
      url,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const result = JSON.parse(stdout) as {
    requests: { average: number };
    latency: { p50: number; p99: number };
    non2xx: number;
  };
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
}

/** The raw side: one route, the same two inserts in one transaction, with the driver itself. */
async function rawServer(database: { kind: 'pglite' } | { kind: 'pg'; url: string }) {
  const ddl = `create table if not exists raw_orders (order_id uuid primary key, customer_id text not null,
      delivery_date date not null, placed_at timestamptz not null default now());
    create table if not exists raw_order_lines (order_id uuid not null, sku text not null, quantity int not null,
      unit_price int not null, primary key (order_id, sku));`;
  let run: (orderId: string, body: typeof order) => Promise<void>;
  let close: () => Promise<void>;
  if (database.kind === 'pglite') {
    const db = await PGlite.create();
    await db.exec(ddl);
    run = async (orderId, body) => {
      await db.transaction(async (tx) => {
        await tx.query('insert into raw_orders (order_id, customer_id, delivery_date) values ($1, $2, $3)', [
          orderId,
          body.customerId,
          body.deliveryDate,
        ]);
        for (const line of body.lines) {
          await tx.query('insert into raw_order_lines values ($1, $2, $3, $4)', [
            orderId,
            line.sku,
            line.quantity,
            86,
          ]);
        }
      });
    };
    close = () => db.close();
  } else {
    const pool = new pg.Pool({ connectionString: database.url, max: 10 });
    await pool.query(ddl);
    run = async (orderId, body) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query({
          name: 'raw-order',
          text: 'insert into raw_orders (order_id, customer_id, delivery_date) values ($1, $2, $3)',
          values: [orderId, body.customerId, body.deliveryDate],
        });
        for (const line of body.lines) {
          await client.query({
            name: 'raw-line',
            text: 'insert into raw_order_lines values ($1, $2, $3, $4)',
            values: [orderId, line.sku, line.quantity, 86],
          });
        }
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw error;
      } finally {
        client.release();
      }
    };
    close = () => pool.end();
  }
  const app = Fastify();
  app.post('/orders', async (request, reply) => {
    const orderId = randomUUID();
    await run(orderId, request.body as typeof order);
    return reply.status(201).send({ orderId });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/orders`,
    close: async () => {
      await app.close();
      await close();
    },
  };
}

/** Milkround as `npm start` runs it, in its own process, so that its RSS is its own. */
async function startMilkround(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const { child, url } = await startListeningProcess(mainFile, {
    env: { SWITCHYARD_HTTP__PORT: '0', SWITCHYARD_LOG__LEVEL: 'info', ...env },
  });
  // Orders learns of the demo members by message; wait until it takes their orders.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await fetch(`${url}/orders/one-off`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(order),
    });
    if (response.status === 201) break;
    if (Date.now() > deadline)
      throw new Error(`Orders never took an order: ${response.status} ${await response.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, child };
}

/** The resident set of a process, from /proc (Linux). */
async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

async function measureMode(
  name: string,
  config: Record<string, string>,
  raw: Parameters<typeof rawServer>[0],
) {
  const milkround = await startMilkround(config);
  const yardUrl = `${milkround.url}/orders/one-off`;
  const bare = await rawServer(raw);
  const results: { raw: Measured[]; yard: Measured[] } = { raw: [], yard: [] };
  try {
    await load(yardUrl, 2);
    await load(bare.url, 2);
    for (let round = 0; round < runs; round += 1) {
      // The sides take turns going first, so neither always meets a warmer or colder machine.
      const order = round % 2 === 0 ? (['raw', 'yard'] as const) : (['yard', 'raw'] as const);
      for (const side of order) results[side].push(await load(side === 'raw' ? bare.url : yardUrl, seconds));
    }
  } finally {
    await bare.close();
  }
  const rss = await rssOf(milkround.child.pid ?? 0);
  const rawRss = process.memoryUsage.rss();
  milkround.child.kill('SIGTERM');
  await once(milkround.child, 'exit');
  const summary = (side: Measured[]) => ({
    rps: median(side.map((each) => each.requestsPerSecond)),
    p50: median(side.map((each) => each.p50)),
    p99: median(side.map((each) => each.p99)),
    non2xx: side.reduce((sum, each) => sum + each.non2xx, 0),
  });
  const rawSummary = summary(results.raw);
  const yardSummary = summary(results.yard);
  print(`\n${name}: POST an order, ${connections} connections, median of ${runs} × ${seconds} s`);
  print('side                    req/s   p50 ms   p99 ms   non-2xx');
  for (const [label, each] of [
    ['raw Fastify + driver', rawSummary],
    ['Switchyard milkround', yardSummary],
  ] as const) {
    print(
      `${label.padEnd(22)} ${each.rps.toFixed(0).padStart(7)} ${each.p50.toFixed(1).padStart(8)} ${each.p99.toFixed(1).padStart(8)} ${String(each.non2xx).padStart(9)}`,
    );
  }
  print(
    `ratio (Switchyard/raw): req/s ${(yardSummary.rps / rawSummary.rps).toFixed(2)}, p50 ${(yardSummary.p50 / rawSummary.p50).toFixed(2)}×, p99 ${(yardSummary.p99 / rawSummary.p99).toFixed(2)}×`,
  );
  print(
    `RSS at the end: milkround process ${(rss / 1024 / 1024).toFixed(0)} MiB; bench process with the raw server ${(rawRss / 1024 / 1024).toFixed(0)} MiB`,
  );
}

await measureMode(
  'Embedded (PGlite in memory, PostgreSQL transport)',
  { SWITCHYARD_DATABASE__DATA_DIR: 'memory' },
  {
    kind: 'pglite',
  },
);

const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();
if (postgres.skip || rabbitmq.skip) {
  print(`\nPostgreSQL + RabbitMQ skipped: ${postgres.skip || rabbitmq.skip}`);
} else {
  const database = await postgres.createDatabase();
  const vhost = await rabbitmq.createVhost();
  try {
    await measureMode(
      'PostgreSQL + RabbitMQ',
      { DATABASE_URL: database.url, RABBITMQ_URL: vhost.url },
      { kind: 'pg', url: database.url },
    );
  } finally {
    await vhost.delete();
    await database.drop();
  }
}
