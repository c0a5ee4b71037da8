import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBus } from '@switchyard/bus';
import { column, connectPostgres, migrate, type SqlClient } from '@switchyard/postgres';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import {
  buildRunReport,
  type CaptureEnvironment,
  type CaptureStore,
  compareRun,
  comparisonEndpoint,
  isPassingKind,
  PostgresCaptureStore,
  RabbitMqCapture,
  type RunReport,
  reconcilersComparer,
  regressionMigrations,
} from '@switchyard/regression';
import { type ListeningProcess, startListeningProcess } from '@switchyard/testing';
import { suite } from '../../src/regression-suite.ts';
import { BusinessTraffic, customerIdOf } from '../faults/business-traffic.ts';
import { customersWithHalfPrices, demoJourney } from './demo-journeys.ts';

const here = dirname(fileURLToPath(import.meta.url));
const releaseMain = join(here, '..', '..', 'src', 'main.ts');
const candidateMain = join(here, '..', '..', 'scripts', 'candidate-main.ts');

/** Where one milkround instance keeps its state and messages. */
export interface DemoEnvironment {
  readonly databaseUrl: string;
  readonly vhostUrl: string;
}

export interface RegressionDemoOptions {
  /** Three instances: two of the release (`release`, `release2`) and the candidate build that rounds halves down. */
  readonly release: DemoEnvironment;
  readonly release2: DemoEnvironment;
  readonly candidate: DemoEnvironment;
  /** The capture store's database, and the vhost the comparers' work items travel on. */
  readonly storeUrl: string;
  readonly workVhostUrl: string;
  /** Customers sent through each instance (default 36). */
  readonly customers?: number;
  readonly print?: (text: string) => void;
}

/** One regression run of the demo, with the groups it found and the groups it had to find. */
export interface DemoRun {
  readonly run: string;
  readonly report: RunReport;
  /** Groups (customers) with any failing outcome. */
  readonly found: readonly string[];
  readonly expected: readonly string[];
}

export interface RegressionDemoResult {
  /** Release against release: nothing may differ. */
  readonly unchanged: DemoRun;
  /** Release against the candidate with halves rounded down: exactly the customers with a half price. */
  readonly changed: DemoRun;
  readonly customers: number;
}

/**
 * The shadow regression demo: three milkround instances on RabbitMQ and PostgreSQL, each with its own
 * database and vhost (two of the release, one candidate build that rounds half-penny prices down), get
 * the same customers through the same journeys (join, standing order, delivery, charge, a complaint and
 * refund for every third). Taps capture what each sends, per customer, into one capture store, as two
 * runs: release vs release ("unchanged") and release vs candidate ("changed"). Comparers run milkround's
 * reconcilers (`src/regression-suite.ts`) over each run. The changed run must find exactly the
 * customers whose order has a price on a half, worked out from the inputs; the unchanged run nothing.
 */
export async function runRegressionDemo(options: RegressionDemoOptions): Promise<RegressionDemoResult> {
  const print = options.print ?? (() => {});
  const customers = options.customers ?? 36;
  const stamp = Date.now().toString(36);
  const runs = { unchanged: `unchanged-${stamp}`, changed: `changed-${stamp}` };
  const sql = connectPostgres({
    url: options.storeUrl,
    maxConnections: 8,
    applicationName: 'regression-demo',
  });
  const processes: ListeningProcess[] = [];
  const taps: RabbitMqCapture[] = [];
  try {
    await migrate(sql, await regressionMigrations());
    const store = new PostgresCaptureStore(sql);
    const tap = (environment: DemoEnvironment, run: string, side: CaptureEnvironment) =>
      new RabbitMqCapture(store, {
        url: environment.vhostUrl,
        run,
        environment: side,
        exchanges: suite.exchanges,
        ...(suite.groupKey ? { keyOf: suite.groupKey } : {}),
      });
    // The release is the baseline of both runs: two taps on one vhost, each with a queue of its own.
    taps.push(
      tap(options.release, runs.unchanged, 'baseline'),
      tap(options.release, runs.changed, 'baseline'),
      tap(options.release2, runs.unchanged, 'candidate'),
      tap(options.candidate, runs.changed, 'candidate'),
    );
    for (const each of taps) await each.start();
    print(
      `Capturing ${suite.captureUrns.length} message types from three instances into runs ${runs.unchanged} and ${runs.changed}`,
    );

    const start = async (main: string, environment: DemoEnvironment) => {
      const started = await startListeningProcess(main, {
        env: {
          DATABASE_URL: environment.databaseUrl,
          RABBITMQ_URL: environment.vhostUrl,
          SWITCHYARD_SEED__DEMO_DATA: 'false',
          SWITCHYARD_LOG__FORMAT: 'json',
          SWITCHYARD_HTTP__PORT: '0',
        },
      });
      processes.push(started);
      return started;
    };
    const instances = [
      await start(releaseMain, options.release),
      await start(releaseMain, options.release2),
      await start(candidateMain, options.candidate),
    ];
    print(
      `Release at ${instances[0]?.url} and ${instances[1]?.url}; candidate (halves rounded down) at ${instances[2]?.url}`,
    );

    const deliveryDate = new Date(Date.now() + 3 * 86_400_000);
    const weekday = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][deliveryDate.getUTCDay()] ?? 'mon';
    const cohort = `r${stamp}`;
    const traffic = instances.map(
      (instance) =>
        new BusinessTraffic(
          { url: () => instance.url },
          {
            cohort,
            deliveryDate: deliveryDate.toISOString().slice(0, 10),
            weekdays: [weekday],
            customers,
            intervalMs: 100,
            journey: demoJourney,
            complainAfterCharge: true,
          },
        ),
    );
    for (const each of traffic) each.start();
    await Promise.all(traffic.map((each) => each.finished()));
    print(
      `${customers} customers went through each instance: joined, ordered, delivered, charged, every third refunded`,
    );
    // What the instances send after the last answer (charges, refunds) reaches the taps, then the store:
    // per customer a join, a delivery and a charge, and a refund for every third (the traffic's complaints).
    const expected = customers * 3 + Math.ceil(customers / 3);
    await waitForMessages(store, Object.values(runs), expected, 120_000);
    for (const each of taps) await each.drain({ timeoutMs: 60_000 });

    const comparer = createBus({
      transport: new RabbitMqTransport({ url: options.workVhostUrl }),
      endpoints: [comparisonEndpoint({ store, compare: reconcilersComparer(suite.reconcilers) })],
    });
    await comparer.start();
    const journeys = Array.from({ length: customers }, (_, index) => ({
      customerId: customerIdOf(cohort, index),
      journey: demoJourney(index),
    }));
    const expectedChanged = customersWithHalfPrices(
      journeys,
      await listPrices(options.release.databaseUrl),
      await planDiscounts(options.release.databaseUrl),
    );
    try {
      const result = async (run: string, expected: readonly string[]): Promise<DemoRun> => {
        await compareRun({
          bus: comparer,
          store,
          run,
          // The taps have drained: every group is quiet already; the wait only bounds a side that never came.
          rule: { ...suite.settle, quietMs: 1_000, limit: 500 },
        });
        return {
          run,
          report: await buildRunReport(store, run),
          found: await failingGroups(store, run),
          expected,
        };
      };
      return {
        unchanged: await result(runs.unchanged, []),
        changed: await result(runs.changed, expectedChanged),
        customers,
      };
    } finally {
      await comparer.stop();
    }
  } finally {
    for (const each of taps) await each.stop().catch(() => {});
    for (const each of taps) await each.deleteQueue().catch(() => {});
    for (const each of processes.reverse()) {
      each.child.kill('SIGTERM');
      if (each.child.exitCode === null && each.child.signalCode === null) await once(each.child, 'exit');
    }
    await sql.close();
  }
}

/** Waits until every run holds `expected` messages on each side (and fails, saying what is missing, after `timeoutMs`). */
async function waitForMessages(
  store: CaptureStore,
  runs: readonly string[],
  expected: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await Promise.all(
      runs.map((run) => store.summary(run).then((summary) => summary.messages)),
    );
    if (counts.every((each) => each.baseline >= expected && each.candidate >= expected)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `The taps captured ${JSON.stringify(counts)} messages; each side should have sent ${expected} within ${timeoutMs} ms; by type: ${JSON.stringify(await store.latencyByType(runs[0] ?? ''))}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The groups with a result that fails the run (anything but a match or not applicable), sorted. */
export async function failingGroups(store: CaptureStore, run: string): Promise<string[]> {
  const failing = new Set<string>();
  let after: number | undefined;
  do {
    const page = await store.results(run, { after, limit: 1_000 });
    for (const result of page.results) {
      if (!isPassingKind((result.outcome as { kind?: unknown }).kind)) failing.add(result.groupKey);
    }
    after = page.next;
  } while (after !== undefined);
  return [...failing].sort();
}

async function listPrices(databaseUrl: string): Promise<Map<string, number>> {
  return readPairs(
    databaseUrl,
    `select sku as key, unit_price_minor as value from orders.product_prices where region = 'UK'`,
  );
}

async function planDiscounts(databaseUrl: string): Promise<Map<string, number>> {
  return readPairs(databaseUrl, 'select plan as key, discount_percent as value from memberships.plans');
}

async function readPairs(databaseUrl: string, statement: string): Promise<Map<string, number>> {
  const sql: SqlClient = connectPostgres({ url: databaseUrl, maxConnections: 1 });
  try {
    const { rows } = await sql.query(statement);
    return new Map(rows.map((row) => [column.text(row, 'key'), column.integer(row, 'value')]));
  } finally {
    await sql.close();
  }
}
