import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { column, connectPostgres, type SqlClient } from '@switchyard/postgres';
import { postgresForTests, rabbitmqForTests, type TestDatabase, type TestVhost } from '@switchyard/testing';
import { BusinessTraffic } from './business-traffic.ts';
import { checkLedger, describeLedger } from './effect-ledger.ts';
import { type FaultScenario, faultScenarios } from './fault-scenarios.ts';
import { type FaultRow, formatFaultTable } from './fault-table.ts';
import { type MilkroundSystem, type Profile, startMilkroundSystem } from './milkround-system.ts';
import { diagnose } from './process-diagnosis.ts';

// Restarts the broker and the database server everyone shares, so this file runs alone, after the
// other tests (npm run test:faults).
const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();

/** The promise: after any one of these faults, a new customer gets all the way through within this. */
const recoveryBudgetMs = 30_000;
const customersPerScenario = 36;
const journeyIntervalMs = 150;
const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

describe('milkround under faults: nothing lost, nothing twice', {
  skip: postgres.skip || rabbitmq.skip,
}, () => {
  let database: TestDatabase;
  let vhost: TestVhost;
  let system: MilkroundSystem;
  let sql: SqlClient;
  const rows: FaultRow[] = [];

  before(async () => {
    database = await postgres.createDatabase();
    vhost = await rabbitmq.createVhost();
    system = await startMilkroundSystem({ databaseUrl: database.url, vhostUrl: vhost.url });
    sql = connectPostgres({ url: database.url, maxConnections: 2, applicationName: 'fault-ledger' });
  });

  after(async () => {
    process.stdout.write(`\n${formatFaultTable(rows)}\n\n`);
    const codes = await system.stop();
    const stopped = diagnose(system);
    await sql.close();
    await vhost.delete();
    await database.drop();
    assert.deepEqual(
      codes,
      { storefront: 0, operations: 0 },
      `both processes stopped cleanly at the end\n${stopped}`,
    );
  });

  faultScenarios().forEach((scenario, index) => {
    it(scenario.name, { timeout: 240_000 }, async () => {
      // Each scenario starts from a serving system, even after an earlier one failed.
      await replaceWhatDoesNotServe();
      // Each scenario delivers on a date of its own, a weekday no other scenario's standing orders cover.
      const date = new Date(Date.now() + (3 + index) * 86_400_000);
      const row = await runScenario(scenario, {
        cohort: `f${index + 1}`,
        deliveryDate: date.toISOString().slice(0, 10),
        weekday: weekdays[date.getUTCDay()] ?? 'mon',
      });
      rows.push(row);
      assert.equal(row.lost, 0, 'no accepted request lost its effect');
      assert.equal(row.duplicated, 0, 'no effect happened twice');
      assert.ok(
        row.recoveredAfterMs <= recoveryBudgetMs,
        `serving again within ${recoveryBudgetMs} ms (took ${row.recoveredAfterMs} ms)`,
      );
    });
  });

  async function runScenario(
    scenario: FaultScenario,
    plan: { cohort: string; deliveryDate: string; weekday: string },
  ): Promise<FaultRow> {
    const startedAt = new Date();
    const traffic = new BusinessTraffic(system, {
      cohort: plan.cohort,
      deliveryDate: plan.deliveryDate,
      weekdays: [plan.weekday],
      customers: customersPerScenario,
      intervalMs: journeyIntervalMs,
      ...scenario.traffic,
    });
    const context = { system, traffic, databaseUrl: database.url, vhost };
    let recoveredAfterMs: number;
    let ledger: Awaited<ReturnType<typeof checkLedger>>;
    try {
      await scenario.prepare?.(context);
      traffic.start();
      const faultEndedAt = (await scenario.inject(context)) ?? Date.now();
      const canary = `${plan.cohort}-canary`;
      await newCustomerReachesBothProcesses(canary);
      recoveredAfterMs = Date.now() - faultEndedAt;
      traffic.accepted.joins.add(canary);
      await traffic.finished();
      ledger = await checkLedger(sql, {
        cohort: plan.cohort,
        deliveryDate: plan.deliveryDate,
        accepted: traffic.accepted,
      });
      assert.ok(ledger.lost === 0 && ledger.duplicated === 0, describeLedger(ledger));
      await scenario.verify?.(context);
    } catch (error) {
      await traffic.stop();
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`${reason}\n${diagnose(system)}`, { cause: error });
    }
    const { accepted } = traffic;
    return {
      scenario: scenario.name,
      messages: await messagesHandledSince(startedAt),
      accepted:
        accepted.joins.size +
        accepted.standingOrders.size +
        accepted.delivered.size +
        accepted.complaints.size,
      retried: traffic.failedAttempts,
      lost: ledger.lost,
      duplicated: ledger.duplicated,
      recoveredAfterMs,
    };
  }

  /**
   * Starts again any process that has ended or does not answer its liveness check, as a supervisor
   * would: a scenario that left the system broken fails on its own, and the next one still tests its fault.
   */
  async function replaceWhatDoesNotServe(): Promise<void> {
    for (const profile of ['storefront', 'operations'] as const satisfies readonly Profile[]) {
      if (system.status(profile) === 'running' && (await answers(profile))) continue;
      process.stdout.write(`replacing the ${profile} process (${system.status(profile)})\n`);
      if (system.status(profile) === 'running') await system.kill(profile);
      await system.start(profile);
    }
  }

  async function answers(profile: Profile): Promise<boolean> {
    try {
      const live = await fetch(`${system.url(profile)}/health/live`, { signal: AbortSignal.timeout(10_000) });
      return live.ok;
    } catch {
      return false;
    }
  }

  /** A join on the storefront, answered there, whose MemberJoined reaches billing in the operations process. */
  async function newCustomerReachesBothProcesses(customerId: string): Promise<void> {
    const deadline = Date.now() + 2 * recoveryBudgetMs;
    for (;;) {
      try {
        const joined = await fetch(`${system.url('storefront')}/memberships`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            customerId,
            name: 'Canary',
            region: 'UK',
            postcode: 'M1 1AE',
            plan: 'basic',
          }),
          signal: AbortSignal.timeout(5_000),
        });
        if (joined.status === 201 || joined.status === 409) {
          const { rows: found } = await sql.query('select 1 from billing.customers where customer_id = $1', [
            customerId,
          ]);
          if (found.length === 1) return;
        }
      } catch {
        // Not serving yet.
      }
      if (Date.now() > deadline)
        throw new Error(`${customerId} did not get through within ${2 * recoveryBudgetMs} ms`);
      await sleep(100);
    }
  }

  async function messagesHandledSince(since: Date): Promise<number> {
    const { rows: counted } = await sql.query(
      'select count(*) as handled from switchyard.yard_inbox where recorded_at >= $1',
      [since],
    );
    return column.integer(counted[0] ?? {}, 'handled');
  }
});
