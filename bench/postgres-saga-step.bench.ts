/**
 * A saga step as one transaction, Switchyard's PostgreSQL stores next to hand-written SQL, on a
 * PostgreSQL server (16 connections, 16 concurrent workers) and on PGlite in memory (sequential).
 *
 * Every transaction, on both sides: BEGIN; find the saga instance by its correlation key `orderId`
 * (keys table joined to the instances table); update it to the next version, checking the version it
 * was read at (new state, new data, keys unchanged); insert one outbox row (a 512-byte message, its
 * id a UUIDv7, leased for 30 s); insert one inbox row (on conflict do nothing); COMMIT. No transition
 * is recorded on either side.
 * - Switchyard: `client.transaction` with `PostgresSagaStore.findByKey`, `.update`,
 *   `PostgresOutbox.add(tx, [message], 30_000)` and `PostgresInbox.tryRecord`, so the statements are
 *   the stores' own (prepared once per connection on the server, as the client does by default).
 * - Raw: the same four steps as a developer would write them with `pg` (a `pg.Pool` of 16 on the
 *   server, `BEGIN`/`COMMIT`, each statement prepared once per connection too), or on PGlite through
 *   a second `PGlite` instance of
 *   `@electric-sql/pglite` opened here (its `transaction`): a plain UPDATE with the version check,
 *   single-row INSERTs.
 * On the server both sides work on the same tables in one schema, over the same pre-created instances
 * (each worker owns its own, so there are no conflicts), and take turns going first. On PGlite each
 * side has its own in-memory database with the same tables and instances. Each side first runs an
 * unmeasured round of 1,000 transactions; then the median of `runs` rounds is reported.
 * `measureSagaStepOnPostgres` is what the peers table (peers.bench.ts) runs.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx node bench/postgres-saga-step.bench.ts [transactions=8000] [runs=5] [pgliteTransactions=2000]
 */
import { PGlite } from '@electric-sql/pglite';
import { messageFingerprint, type SagaRecord, uuidv7 } from '@switchyard/bus';
import {
  connectPostgres,
  migrate,
  openPglite,
  PostgresInbox,
  PostgresOutbox,
  PostgresSagaStore,
  type SqlClient,
  switchyardMigrations,
} from '@switchyard/postgres';
import pg from 'pg';
import { retrying, withCleanup } from './support/cleanup.ts';
import { median } from './support/measure.ts';
import { postgresUrl as url } from './support/postgres.ts';

const connections = 16;
const workers = 16;
const instancesPerWorker = 32;
const warmUpTransactions = 1_000;
const leaseMs = 30_000;
const sagaType = 'bench.OrderSaga';
const consumerName = 'bench.order-saga';
const destination = 'bench-shipping';
const contentType = 'application/vnd.masstransit+json';
const headers = { 'MT-Host-MachineName': 'bench' };
const bodyPadding = 'x'.repeat(440);
const states = ['Submitted', 'Accepted', 'Packed', 'Shipped'];

/** The saga's data: a JSON document of about 300 bytes that changes on every step. */
interface OrderData {
  readonly orderId: string;
  readonly customerId: string;
  readonly lines: readonly { sku: string; quantity: number; price: number }[];
  readonly step: number;
}

/** One step's inputs, the same on both sides: the instance to find, the message that caused it. */
interface Step {
  readonly orderId: string;
  readonly messageId: string;
  readonly body: Buffer;
}

/** A transaction runner for one side: does one step, resolves when it committed. */
type StepRunner = (step: Step) => Promise<void>;

function orderIdOf(worker: number, index: number): string {
  return `order-${worker}-${index}`;
}

function initialRecord(orderId: string): SagaRecord {
  const data: OrderData = {
    orderId,
    customerId: `customer-${orderId}`,
    lines: [
      { sku: 'SKU-1001', quantity: 2, price: 19.95 },
      { sku: 'SKU-2002', quantity: 1, price: 149 },
      { sku: 'SKU-3003', quantity: 5, price: 3.5 },
    ],
    step: 0,
  };
  return { sagaType, id: uuidv7(), state: 'Submitted', data, version: 1, keys: { orderId } };
}

function stepFor(orderId: string, sequence: number): Step {
  const messageId = uuidv7();
  return {
    orderId,
    messageId,
    body: Buffer.from(JSON.stringify({ messageId, orderId, sequence, padding: bodyPadding })),
  };
}

function nextData(data: OrderData): OrderData {
  return { ...data, step: data.step + 1 };
}

function nextState(state: string): string {
  return states[(states.indexOf(state) + 1) % states.length] ?? 'Submitted';
}

/** The Switchyard side: the stores, in the client's transaction. */
function switchyardStep(client: SqlClient, schema: string): StepRunner {
  const sagas = new PostgresSagaStore(client, { schema });
  const outbox = new PostgresOutbox(client, { schema });
  const inbox = new PostgresInbox(client, { schema });
  return (step) =>
    client.transaction(async (tx) => {
      const saga = await sagas.findByKey(tx, sagaType, 'orderId', step.orderId);
      if (!saga) throw new Error(`No saga for ${step.orderId}`);
      await sagas.update(tx, {
        ...saga,
        state: nextState(saga.state),
        data: nextData(saga.data as OrderData),
        version: saga.version + 1,
      });
      await outbox.add(
        tx,
        [
          {
            kind: 'send',
            destination,
            message: { messageId: uuidv7(), correlationId: saga.id, contentType, body: step.body, headers },
            conversationId: saga.id,
          },
        ],
        leaseMs,
      );
      await inbox.tryRecord(tx, consumerName, {
        messageId: step.messageId,
        fingerprint: messageFingerprint([sagaType], { orderId: step.orderId }),
      });
    });
}

/** The hand-written statements of one step, for one schema. */
function rawStatements(schema: string) {
  const table = (name: string) => `"${schema}".${name}`;
  return {
    find: `select i.id, i.state, i.data, i.version from ${table('yard_saga_keys')} k
      join ${table('yard_saga_instances')} i on i.saga_type = k.saga_type and i.id = k.saga_id
      where k.saga_type = $1 and k.key_name = $2 and k.key_value = $3`,
    update: `update ${table('yard_saga_instances')} set state = $3, data = $4::jsonb, version = $5
      where saga_type = $1 and id = $2 and version = $6`,
    outbox: `insert into ${table('yard_outbox')} (id, kind, destination, message_id, correlation_id,
      content_type, body, headers, conversation_id, created_at, lease_until)
      values ($1, 'send', $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10)`,
    inbox: `insert into ${table('yard_inbox')} (consumer, message_id, recorded_at) values ($1, $2, $3)
      on conflict (consumer, message_id) do nothing`,
  };
}

/** Anything that runs a parameterised statement and returns rows and a count (pg or PGlite). */
type Run = (
  statement: string,
  params: unknown[],
) => Promise<{ rows: Record<string, unknown>[]; count: number }>;

/** One step with the hand-written statements through `run`, inside a transaction the caller opened. */
async function rawStepBody(run: Run, sql: ReturnType<typeof rawStatements>, step: Step): Promise<void> {
  const found = await run(sql.find, [sagaType, 'orderId', step.orderId]);
  const row = found.rows[0];
  if (!row) throw new Error(`No saga for ${step.orderId}`);
  const id = row.id as string;
  const version = Number(row.version);
  const updated = await run(sql.update, [
    sagaType,
    id,
    nextState(row.state as string),
    JSON.stringify(nextData(row.data as OrderData)),
    version + 1,
    version,
  ]);
  if (updated.count !== 1) throw new Error(`Saga ${id} changed under the benchmark`);
  const now = Date.now();
  await run(sql.outbox, [
    uuidv7(),
    destination,
    uuidv7(),
    id,
    contentType,
    step.body,
    JSON.stringify(headers),
    id,
    new Date(now),
    new Date(now + leaseMs),
  ]);
  await run(sql.inbox, [consumerName, step.messageId, new Date(now)]);
}

const rawStatementNames = new Map<string, string>();

function rawStatementName(statement: string): string {
  let name = rawStatementNames.get(statement);
  if (!name) {
    name = `bench_raw_${rawStatementNames.size}`;
    rawStatementNames.set(statement, name);
  }
  return name;
}

function rawPgStep(pool: pg.Pool, schema: string): StepRunner {
  const sql = rawStatements(schema);
  return async (step) => {
    const connection = await pool.connect();
    // A checked-out pg connection has no error listener: a server restart would crash the process.
    connection.on('error', ignore);
    // Prepared once per connection, as Switchyard's client does, so both sides skip re-planning.
    const run: Run = async (statement, params) => {
      const result = await connection.query({
        name: rawStatementName(statement),
        text: statement,
        values: params,
      });
      return { rows: result.rows, count: result.rowCount ?? 0 };
    };
    let broken = false;
    try {
      await connection.query('begin');
      await rawStepBody(run, sql, step);
      await connection.query('commit');
    } catch (error) {
      await connection.query('rollback').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      connection.removeListener('error', ignore);
      connection.release(broken);
    }
  };
}

function rawPgliteStep(db: PGlite, schema: string): StepRunner {
  const sql = rawStatements(schema);
  return (step) =>
    db.transaction(async (tx) => {
      const run: Run = async (statement, params) => {
        const result = await tx.query<Record<string, unknown>>(statement, params);
        return { rows: result.rows, count: result.affectedRows ?? result.rows.length };
      };
      await rawStepBody(run, sql, step);
    });
}

/** Creates `perWorker` saga instances for each of `workerCount` workers through the saga store. */
async function seed(
  client: SqlClient,
  schema: string,
  workerCount: number,
  perWorker: number,
): Promise<void> {
  const sagas = new PostgresSagaStore(client, { schema });
  for (let worker = 0; worker < workerCount; worker++) {
    await client.transaction(async (tx) => {
      for (let index = 0; index < perWorker; index++)
        await sagas.insert(tx, initialRecord(orderIdOf(worker, index)));
    });
  }
}

/**
 * Runs `count` steps split over `workerCount` concurrent workers, each cycling over its own
 * instances; returns transactions per second. The steps' inputs are built before the clock starts.
 */
async function measure(
  run: StepRunner,
  count: number,
  workerCount: number,
  perWorker: number,
): Promise<number> {
  const perWorkerSteps = Math.ceil(count / workerCount);
  const plans = Array.from({ length: workerCount }, (_, worker) =>
    Array.from({ length: perWorkerSteps }, (_, index) =>
      stepFor(orderIdOf(worker, index % perWorker), index),
    ),
  );
  const started = performance.now();
  await Promise.all(
    plans.map(async (steps) => {
      for (const step of steps) await run(step);
    }),
  );
  return (perWorkerSteps * workerCount) / ((performance.now() - started) / 1000);
}

/** Raw and Switchyard transactions/s of each round. */
export interface SagaStepRates {
  readonly raw: number[];
  readonly yard: number[];
}

/** Warm-up of each, then `runs` rounds taking turns going first; each side's tx/s of every round. */
async function compare(
  raw: StepRunner,
  yard: StepRunner,
  count: number,
  runs: number,
  workerCount: number,
  perWorker: number,
): Promise<SagaStepRates> {
  await measure(raw, warmUpTransactions, workerCount, perWorker);
  await measure(yard, warmUpTransactions, workerCount, perWorker);
  const rates = { raw: [] as number[], yard: [] as number[] };
  for (let round = 0; round < runs; round++) {
    if (round % 2 === 0) {
      rates.raw.push(await measure(raw, count, workerCount, perWorker));
      rates.yard.push(await measure(yard, count, workerCount, perWorker));
    } else {
      rates.yard.push(await measure(yard, count, workerCount, perWorker));
      rates.raw.push(await measure(raw, count, workerCount, perWorker));
    }
  }
  return rates;
}

function ignore(): void {}

/** Drops the schema on a connection of its own, trying again for half a minute while the server restarts. */
async function dropSchema(name: string): Promise<void> {
  await retrying(10, 3_000, async () => {
    const client = new pg.Client({ connectionString: url });
    client.on('error', ignore);
    try {
      await client.connect();
      await client.query(`drop schema if exists "${name}" cascade`);
    } finally {
      await client.end().catch(() => {});
    }
  });
}

/** The comparison on the PostgreSQL server, on a fresh schema dropped at the end. */
export async function measureSagaStepOnPostgres(options: {
  readonly transactions: number;
  readonly runs: number;
}): Promise<SagaStepRates> {
  const schema = `bench_saga_${process.pid}_${Date.now()}`;
  const client = connectPostgres({ url, maxConnections: connections, applicationName: 'bench switchyard' });
  const pool = new pg.Pool({ connectionString: url, max: connections, application_name: 'bench raw' });
  pool.on('error', ignore);
  // A dying connection can emit 'error' twice (the server's FATAL, then the socket closing).
  pool.on('connect', (connection) => connection.on('error', ignore));
  return withCleanup(
    async () => {
      await migrate(client, await switchyardMigrations(schema));
      await seed(client, schema, workers, instancesPerWorker);
      return await compare(
        rawPgStep(pool, schema),
        switchyardStep(client, schema),
        options.transactions,
        options.runs,
        workers,
        instancesPerWorker,
      );
    },
    async () => {
      await client.close().catch(() => {});
      await pool.end().catch(() => {});
      await dropSchema(schema);
    },
  );
}

/** The comparison on PGlite in memory, one transaction at a time. */
export async function measureSagaStepOnPglite(options: {
  readonly transactions: number;
  readonly runs: number;
}): Promise<SagaStepRates> {
  const schema = 'bench_saga';
  const client = await openPglite();
  const db = await PGlite.create();
  try {
    const migrations = await switchyardMigrations(schema);
    await migrate(client, migrations);
    await seed(client, schema, 1, workers * instancesPerWorker);
    // The raw database gets the same tables from the same files, and the same instances.
    await db.exec(`create schema ${schema}; set search_path to ${schema}`);
    for (const each of migrations.migrations) await db.exec(each.sql);
    await db.exec('reset search_path');
    await db.transaction(async (tx) => {
      for (let index = 0; index < workers * instancesPerWorker; index++) {
        const record = initialRecord(orderIdOf(0, index));
        await tx.query(
          `insert into ${schema}.yard_saga_instances (saga_type, id, state, data, version, keys)
           values ($1, $2, $3, $4::jsonb, 1, $5::jsonb)`,
          [sagaType, record.id, record.state, JSON.stringify(record.data), JSON.stringify(record.keys)],
        );
        await tx.query(
          `insert into ${schema}.yard_saga_keys (saga_type, key_name, key_value, saga_id) values ($1, 'orderId', $2, $3)`,
          [sagaType, record.keys.orderId, record.id],
        );
      }
    });
    return await compare(
      rawPgliteStep(db, schema),
      switchyardStep(client, schema),
      options.transactions,
      options.runs,
      1,
      workers * instancesPerWorker,
    );
  } finally {
    await client.close().catch(() => {});
    await db.close().catch(() => {});
  }
}

if (import.meta.main) {
  const transactions = Number(process.argv[2] ?? 8_000);
  const runs = Number(process.argv[3] ?? 5);
  const pgliteTransactions = Number(process.argv[4] ?? 2_000);
  const postgres = await measureSagaStepOnPostgres({ transactions, runs });
  const pglite = await measureSagaStepOnPglite({ transactions: pgliteTransactions, runs });
  const line = (name: string, rates: { raw: number[]; yard: number[] }) => {
    const raw = median(rates.raw);
    const yard = median(rates.yard);
    return `${name.padEnd(34)}${raw.toFixed(0).padStart(10)}${yard.toFixed(0).padStart(17)}${(yard / raw).toFixed(2).padStart(8)}\n`;
  };
  const each = (rates: number[]) => rates.map((rate) => rate.toFixed(0)).join(' ');
  process.stdout.write(
    `Saga step (find by key, versioned update, outbox row, inbox row, commit), median of ${runs}\n` +
      `${'database'.padEnd(34)}${'raw tx/s'.padStart(10)}${'Switchyard tx/s'.padStart(17)}${'ratio'.padStart(8)}\n` +
      line(`PostgreSQL, ${workers} workers, ${transactions} tx`, postgres) +
      line(`PGlite, sequential, ${pgliteTransactions} tx`, pglite) +
      `rounds (tx/s): PostgreSQL raw ${each(postgres.raw)}; Switchyard ${each(postgres.yard)}\n` +
      `               PGlite raw ${each(pglite.raw)}; Switchyard ${each(pglite.yard)}\n` +
      `RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB\n`,
  );
}
