/**
 * Saga events on PostgreSQL: `SagaEngine.handle` on `PostgresSagaStore` next to the hand-written SQL
 * of the same step, in one process, on the same tables of one fresh schema.
 *
 * The saga is a counter defined here: `started` (correlated by id) moves a new instance from Initial
 * to Active; during Active, `stepped` (correlated by id, no sequence) adds one to `count` and the
 * message's amount to `total`, staying in Active. Every measured event is a `stepped` for an existing
 * instance. One event is one transaction, on both sides:
 * - Switchyard: `client.transaction` with `PostgresInbox.tryRecord` (the inbox row, as the bus's
 *   transactional middleware records it before the handler runs) and then `SagaEngine.handle`, which
 *   loads the instance by id (`PostgresSagaStore.load`), runs the behaviour, updates the row checking
 *   the version it read (`update`) and records the transition (`recordTransition`).
 * - Raw: `pg` directly, `BEGIN`; the inbox insert (on conflict do nothing); select the instance's
 *   state, data and version by id; check the state; update state, data and version where the version
 *   is the one read; insert the audit row into the transitions table; `COMMIT`. The same tables and
 *   statements as the stores' (migrations 0001 and 0002), minus what only Switchyard does: its
 *   bookkeeping beside the data in the JSON document and the keys comparison in its plain update.
 *   The select takes no row lock, as the store's `load` takes none (the version check is the guard);
 *   pass `for-update` as the third argument to make the raw side `select ... for update`.
 * Both sides prepare each statement once per connection (the Switchyard client does so by default),
 * use a pool of 8 connections and 8 concurrent workers, each worker cycling over its own 16 instances
 * (so no conflicts); each side has its own instances in the same tables. Each side first runs an
 * unmeasured round of 1,000 events; then `runs` rounds, the sides taking turns going first, each
 * round `events` events per side. Prints events/s, the ratio Switchyard/raw per round and the
 * medians, and the process's CPU time per event on each side (PostgreSQL shares the machine).
 * `measureSagaEvents` is what the peers table (peers.bench.ts) runs.
 *
 * Then the saga checker, in memory: `checkSaga` on the trade booking saga of the saga package's tests
 * with the scenario of its checker test (two trades, each executed, allocated, confirmed and amended
 * twice: 10 messages, with redeliveries and crashes), `checkerRuns` schedules a check; one unmeasured
 * check, then `runs` checks with fixed seeds, reporting the orderings per second `checkSaga` reports.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx node bench/saga-events.bench.ts [events=8000] [runs=5] [rawLock=none|for-update] [checkerRuns=200]
 */
import { defineMessage, messageFingerprint, uuidv7 } from '@switchyard/bus';
import {
  connectPostgres,
  migrate,
  PostgresInbox,
  PostgresSagaStore,
  type SqlClient,
  type SqlTransaction,
  switchyardMigrations,
} from '@switchyard/postgres';
import { checkSaga, defineSaga, event, SagaEngine, type SagaEvent } from '@switchyard/saga';
import pg from 'pg';
import { z } from 'zod';
import { tradeBooking, tradeInvariants, tradeScenario } from '../packages/saga/test/support/trade-booking.ts';
import { retrying, withCleanup } from './support/cleanup.ts';
import { median } from './support/measure.ts';
import { postgresUrl as url } from './support/postgres.ts';

const connections = 8;
const workers = 8;
const instancesPerWorker = 16;
const warmUpEvents = 1_000;
const consumerName = 'bench.counter-saga';

const CounterStarted = defineMessage(
  'bench.CounterStarted',
  z.object({ counterId: z.string(), label: z.string() }),
);
const CounterStepped = defineMessage(
  'bench.CounterStepped',
  z.object({ counterId: z.string(), amount: z.number().int() }),
);

/** The counter's data: a small JSON document that changes on every step. */
interface CounterData {
  counterId: string;
  label: string;
  count: number;
  total: number;
}

const counterSaga = defineSaga({
  name: 'bench.Counter',
  states: ['Active'],
  initialData: (): CounterData => ({ counterId: '', label: '', count: 0, total: 0 }),
  events: {
    started: event(CounterStarted, { byId: (m) => m.counterId }),
    stepped: event(CounterStepped, { byId: (m) => m.counterId }),
  },
  behaviour: ({ initially, during, when }) => [
    initially(
      when('started', (saga) =>
        saga
          .update(({ data, message }) => {
            data.counterId = message.counterId;
            data.label = message.label;
          })
          .transitionTo('Active'),
      ),
    ),
    during(
      'Active',
      when('stepped', (saga) =>
        saga.update(({ data, message }) => {
          data.count += 1;
          data.total += message.amount;
        }),
      ),
    ),
  ],
});
const sagaType = counterSaga.name;
// The engine takes events untyped (its message is `unknown`), as the saga endpoint hands them over.
const startedEvent = counterSaga.events.started as SagaEvent;
const steppedEvent = counterSaga.events.stepped as SagaEvent;

/** One event's inputs, the same shape on both sides: the instance, the message id, the message. */
interface Step {
  readonly counterId: string;
  readonly messageId: string;
  readonly message: { readonly counterId: string; readonly amount: number };
}

/** Does one event in one transaction; resolves when it committed. */
type StepRunner = (step: Step) => Promise<void>;

/** The Switchyard side: the inbox, then the engine on the saga store, in the client's transaction. */
function switchyardStep(
  client: SqlClient,
  engine: SagaEngine<SqlTransaction>,
  inbox: PostgresInbox,
): StepRunner {
  return (step) =>
    client.transaction(async (tx) => {
      const fingerprint = messageFingerprint([steppedEvent.messageType.urn], step.message);
      if (
        (await inbox.tryRecord(tx, consumerName, { messageId: step.messageId, fingerprint })) !== 'recorded'
      )
        return;
      const outcome = await engine.handle(tx, {
        event: steppedEvent,
        message: step.message,
        messageId: step.messageId,
        correlationId: undefined,
      });
      if (outcome.result !== 'applied') throw new Error(`Event ${step.messageId} was ${outcome.result}`);
    });
}

/** How the raw side's select reads the instance: without a lock, as the store's `load`, or `for update`. */
export type RawLock = 'none' | 'for-update';

/** The hand-written statements, for one schema: the stores' tables and the columns they write. */
function rawStatements(schema: string, rawLock: RawLock) {
  const table = (name: string) => `"${schema}".${name}`;
  return {
    inbox: `insert into ${table('yard_inbox')} (consumer, message_id, recorded_at) values ($1, $2, $3)
      on conflict (consumer, message_id) do nothing`,
    load: `select state, data, version from ${table('yard_saga_instances')} where saga_type = $1 and id = $2${
      rawLock === 'for-update' ? ' for update' : ''
    }`,
    update: `update ${table('yard_saga_instances')} set state = $3, data = $4::jsonb, version = $5
      where saga_type = $1 and id = $2 and version = $6`,
    audit: `insert into ${table('yard_saga_transitions')}
      (saga_type, saga_id, from_state, to_state, event, message_id, occurred_at)
      values ($1, $2, $3, $4, $5, $6, $7)`,
  };
}

const rawStatementNames = new Map<string, string>();

function rawStatementName(statement: string): string {
  let name = rawStatementNames.get(statement);
  if (!name) {
    name = `bench_saga_events_${rawStatementNames.size}`;
    rawStatementNames.set(statement, name);
  }
  return name;
}

/** The raw side: `pg.Pool`, `BEGIN`/`COMMIT`, each statement prepared once per connection. */
function rawStep(pool: pg.Pool, schema: string, rawLock: RawLock): StepRunner {
  const sql = rawStatements(schema, rawLock);
  return async (step) => {
    const connection = await pool.connect();
    // A checked-out pg connection has no error listener: a server restart would crash the process.
    connection.on('error', ignore);
    const run = (statement: string, values: unknown[]) =>
      connection.query({ name: rawStatementName(statement), text: statement, values });
    let broken = false;
    try {
      await connection.query('begin');
      const now = new Date();
      const recorded = await run(sql.inbox, [consumerName, step.messageId, now]);
      if (recorded.rowCount === 1) {
        const found = await run(sql.load, [sagaType, step.counterId]);
        const row = found.rows[0] as { state: string; data: CounterData; version: number } | undefined;
        if (row?.state !== 'Active') throw new Error(`No active counter ${step.counterId}`);
        const data: CounterData = {
          ...row.data,
          count: row.data.count + 1,
          total: row.data.total + step.message.amount,
        };
        const updated = await run(sql.update, [
          sagaType,
          step.counterId,
          'Active',
          JSON.stringify(data),
          row.version + 1,
          row.version,
        ]);
        if (updated.rowCount !== 1) throw new Error(`Counter ${step.counterId} changed under the benchmark`);
        await run(sql.audit, [sagaType, step.counterId, 'Active', 'Active', 'stepped', step.messageId, now]);
      }
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

/** Instance ids per worker, for one side. */
function instanceIds(): string[][] {
  return Array.from({ length: workers }, () => Array.from({ length: instancesPerWorker }, () => uuidv7()));
}

/** Starts the Switchyard side's instances through the engine (`started`: Initial → Active). */
async function seedSwitchyard(
  client: SqlClient,
  engine: SagaEngine<SqlTransaction>,
  ids: readonly (readonly string[])[],
): Promise<void> {
  for (const counterId of ids.flat()) {
    await client.transaction(async (tx) => {
      const outcome = await engine.handle(tx, {
        event: startedEvent,
        message: { counterId, label: `counter ${counterId}` },
        messageId: uuidv7(),
        correlationId: undefined,
      });
      if (outcome.result !== 'applied') throw new Error(`Counter ${counterId} did not start`);
    });
  }
}

/** Creates the raw side's instances as a hand-written saga would: the row and its first audit row. */
async function seedRaw(
  client: SqlClient,
  schema: string,
  ids: readonly (readonly string[])[],
): Promise<void> {
  await client.transaction(async (tx) => {
    for (const counterId of ids.flat()) {
      const data: CounterData = { counterId, label: `counter ${counterId}`, count: 0, total: 0 };
      await tx.query(
        `insert into "${schema}".yard_saga_instances (saga_type, id, state, data, version, keys)
         values ($1, $2, 'Active', $3::jsonb, 1, '{}'::jsonb)`,
        [sagaType, counterId, JSON.stringify(data)],
      );
      await tx.query(
        `insert into "${schema}".yard_saga_transitions
         (saga_type, saga_id, from_state, to_state, event, message_id, occurred_at)
         values ($1, $2, null, 'Active', 'started', $3, $4)`,
        [sagaType, counterId, uuidv7(), new Date()],
      );
    }
  });
}

/** Events per second and the process's CPU time per event (user + system, µs). */
export interface Rate {
  readonly perSecond: number;
  readonly cpuMicros: number;
}

/**
 * Runs `count` events split over the workers, each cycling over its own instances; the events'
 * inputs are built before the clock starts.
 */
async function measure(run: StepRunner, ids: readonly (readonly string[])[], count: number): Promise<Rate> {
  const perWorker = Math.ceil(count / workers);
  const plans = ids.map((own) =>
    Array.from({ length: perWorker }, (_, index): Step => {
      const counterId = own[index % own.length] as string;
      return { counterId, messageId: uuidv7(), message: { counterId, amount: (index % 7) + 1 } };
    }),
  );
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    plans.map(async (steps) => {
      for (const step of steps) await run(step);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const total = perWorker * workers;
  return { perSecond: total / seconds, cpuMicros: (used.user + used.system) / total };
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

/** The sum of `count` over one side's instances: every applied event adds one. */
async function countedSteps(
  client: SqlClient,
  schema: string,
  ids: readonly (readonly string[])[],
  path: string,
) {
  const { rows } = await client.query(
    `select coalesce(sum((${path})::bigint), 0)::bigint as steps from "${schema}".yard_saga_instances
     where saga_type = $1 and id = any($2::text[])`,
    [sagaType, ids.flat()],
  );
  return Number(rows[0]?.steps ?? 0);
}

/** Each side's rate in each round, raw and Switchyard taking turns going first. */
export interface SagaEventResults {
  readonly raw: Rate[];
  readonly yard: Rate[];
}

/**
 * The PostgreSQL comparison on a fresh schema, dropped at the end: 1,000 unmeasured events a side,
 * then `runs` rounds of `events` events a side.
 */
export async function measureSagaEvents(options: {
  readonly events: number;
  readonly runs: number;
  readonly rawLock: RawLock;
}): Promise<SagaEventResults> {
  const { events, runs } = options;
  const schema = `bench_saga_events_${process.pid}_${Date.now()}`;
  const client = connectPostgres({ url, maxConnections: connections, applicationName: 'bench switchyard' });
  const pool = new pg.Pool({ connectionString: url, max: connections, application_name: 'bench raw' });
  pool.on('error', ignore);
  // A dying connection can emit 'error' twice (the server's FATAL, then the socket closing).
  pool.on('connect', (connection) => connection.on('error', ignore));
  const cleanup = async () => {
    await client.close().catch(() => {});
    await pool.end().catch(() => {});
    await dropSchema(schema);
  };
  return withCleanup(async () => {
    await migrate(client, await switchyardMigrations(schema));
    const engine = new SagaEngine(counterSaga, new PostgresSagaStore(client, { schema }));
    const inbox = new PostgresInbox(client, { schema });
    const rawIds = instanceIds();
    const yardIds = instanceIds();
    await seedRaw(client, schema, rawIds);
    await seedSwitchyard(client, engine, yardIds);
    const raw = rawStep(pool, schema, options.rawLock);
    const yard = switchyardStep(client, engine, inbox);
    await measure(raw, rawIds, warmUpEvents);
    await measure(yard, yardIds, warmUpEvents);
    const results: SagaEventResults = { raw: [], yard: [] };
    for (let round = 0; round < runs; round++) {
      if (round % 2 === 0) {
        results.raw.push(await measure(raw, rawIds, events));
        results.yard.push(await measure(yard, yardIds, events));
      } else {
        results.yard.push(await measure(yard, yardIds, events));
        results.raw.push(await measure(raw, rawIds, events));
      }
    }
    // Every event must have been applied once on each side, warm-up included.
    const expected = (Math.ceil(warmUpEvents / workers) + runs * Math.ceil(events / workers)) * workers;
    const rawSteps = await countedSteps(client, schema, rawIds, "data->>'count'");
    const yardSteps = await countedSteps(client, schema, yardIds, "data->'data'->>'count'");
    if (rawSteps !== expected || yardSteps !== expected) {
      throw new Error(
        `Expected ${expected} steps on each side, counted raw ${rawSteps}, Switchyard ${yardSteps}`,
      );
    }
    return results;
  }, cleanup);
}

/** Orderings per second of `checkSaga` over the trade scenario, one check per round, after one unmeasured check. */
async function checkerRates(runs: number, checkerRuns: number): Promise<number[]> {
  const check = (seed: number) =>
    checkSaga({
      definition: tradeBooking(),
      messages: tradeScenario(),
      invariants: tradeInvariants,
      runs: checkerRuns,
      seed,
    });
  await check(1);
  const rates: number[] = [];
  for (let round = 0; round < runs; round++) rates.push((await check(1_000 + round)).orderingsPerSecond);
  return rates;
}

if (import.meta.main) {
  const events = Number(process.argv[2] ?? 8_000);
  const runs = Number(process.argv[3] ?? 5);
  const rawLock = process.argv[4] ?? 'none';
  if (rawLock !== 'none' && rawLock !== 'for-update') {
    throw new Error(`rawLock must be "none" or "for-update", got "${rawLock}"`);
  }
  const checkerRuns = Number(process.argv[5] ?? 200);
  const results = await measureSagaEvents({ events, runs, rawLock });
  const checker = await checkerRates(runs, checkerRuns);
  const ratios = results.yard.map(
    (yard, round) => yard.perSecond / (results.raw[round]?.perSecond ?? Number.NaN),
  );
  const rawMedian = median(results.raw.map((each) => each.perSecond));
  const yardMedian = median(results.yard.map((each) => each.perSecond));
  const cell = (value: string, width: number) => value.padStart(width);
  let table = `${'round'.padEnd(8)}${cell('raw ev/s', 10)}${cell('Switchyard ev/s', 17)}${cell('ratio', 8)}${cell('raw CPU µs/ev', 15)}${cell('Switchyard CPU µs/ev', 22)}\n`;
  results.raw.forEach((raw, round) => {
    const yard = results.yard[round] as Rate;
    table +=
      `${String(round + 1).padEnd(8)}${cell(raw.perSecond.toFixed(0), 10)}${cell(yard.perSecond.toFixed(0), 17)}` +
      `${cell((ratios[round] ?? 0).toFixed(2), 8)}${cell(raw.cpuMicros.toFixed(0), 15)}${cell(yard.cpuMicros.toFixed(0), 22)}\n`;
  });
  process.stdout.write(
    `Saga event (inbox row, load by id, versioned update, audit row, commit) on PostgreSQL, ` +
      `${workers} workers, ${connections} connections a side, ${events} events a round, raw select lock: ${rawLock}\n` +
      table +
      `${'median'.padEnd(8)}${cell(rawMedian.toFixed(0), 10)}${cell(yardMedian.toFixed(0), 17)}` +
      `${cell((yardMedian / rawMedian).toFixed(2), 8)}   (median of the rounds' ratios: ${median(ratios).toFixed(2)})\n` +
      `Saga checker (trade booking, 10 messages, redeliveries and crashes, ${checkerRuns} schedules a check), orderings/s: ` +
      `${checker.map((rate) => rate.toFixed(0)).join(' ')}; median ${median(checker).toFixed(0)}\n` +
      `RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB\n`,
  );
}
