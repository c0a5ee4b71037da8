import { setTimeout as sleep } from 'node:timers/promises';
import { column, type SqlClient } from '@switchyard/postgres';
import type { AcceptedRequests } from './business-traffic.ts';

/** One kind of effect an accepted request owes: how many rows each request's key has in the database. */
interface EffectKind {
  readonly name: string;
  /** The keys that must have exactly one row each. */
  readonly expected: readonly string[];
  /** `key, count` rows for the scenario's keys (and any key of the scenario that should not be there). */
  readonly statement: string;
  readonly params: readonly unknown[];
}

/** What the ledger found for one kind of effect. */
export interface EffectCount {
  readonly name: string;
  readonly expected: number;
  readonly lost: readonly string[];
  /** Keys with more than one effect, and keys that should have none, with their count. */
  readonly duplicated: ReadonlyMap<string, number>;
}

export interface LedgerResult {
  readonly effects: readonly EffectCount[];
  readonly lost: number;
  readonly duplicated: number;
}

/**
 * The effects each accepted request owes, read from the modules' own tables: one member, one customer
 * in orders and in billing per join; one standing order per order request; one delivery per customer
 * on the date; one charge per delivered delivery; one refund per complaint. Effects travel by message,
 * so the ledger waits (up to `settleMs`) for missing ones before it counts them lost.
 */
export async function checkLedger(
  sql: SqlClient,
  scenario: { cohort: string; deliveryDate: string; accepted: AcceptedRequests; settleMs?: number },
): Promise<LedgerResult> {
  const { cohort, deliveryDate, accepted } = scenario;
  const pattern = `${cohort}-%`;
  const joined = [...accepted.joins];
  /** One row per customer of the scenario in `table` (where `condition` holds). */
  const perCustomer = (
    name: string,
    table: string,
    expected: readonly string[],
    condition = '',
  ): EffectKind => ({
    name,
    expected,
    statement: `select customer_id as key, count(*) as count from ${table}
      where customer_id like $1 ${condition} group by customer_id`,
    params: [pattern],
  });
  const kinds: EffectKind[] = [
    perCustomer('members', 'memberships.members', joined),
    perCustomer('orders customers', 'orders.customers', joined),
    perCustomer('billing customers', 'billing.customers', joined),
    perCustomer('standing orders', 'orders.orders', [...accepted.standingOrders], "and kind = 'standing'"),
    {
      name: 'deliveries',
      expected: [...accepted.standingOrders],
      statement: `select customer_id as key, count(*) as count from deliveries.deliveries
        where customer_id like $1 and delivery_date = $2 group by customer_id`,
      params: [pattern, deliveryDate],
    },
    {
      name: 'charges',
      expected: [...accepted.delivered.keys()],
      statement: `select delivery_id as key, count(*) as count from billing.charges
        where customer_id like $1 group by delivery_id`,
      params: [pattern],
    },
    {
      name: 'refunds',
      expected: [...accepted.complaints.keys()],
      statement: `select complaint_id as key, count(*) as count from billing.refunds
        where customer_id like $1 group by complaint_id`,
      params: [pattern],
    },
  ];

  const deadline = Date.now() + (scenario.settleMs ?? 60_000);
  for (;;) {
    const effects: EffectCount[] = [];
    for (const kind of kinds) effects.push(await countEffects(sql, kind));
    const lost = effects.reduce((sum, each) => sum + each.lost.length, 0);
    const duplicated = effects.reduce(
      (sum, each) => sum + [...each.duplicated.values()].reduce((extra, count) => extra + count - 1, 0),
      0,
    );
    if (lost === 0 || Date.now() > deadline) return { effects, lost, duplicated };
    await sleep(500);
  }
}

async function countEffects(sql: SqlClient, kind: EffectKind): Promise<EffectCount> {
  const { rows } = await sql.query(kind.statement, kind.params);
  const counts = new Map(rows.map((row) => [column.text(row, 'key'), column.integer(row, 'count')]));
  const expected = new Set(kind.expected);
  const duplicated = new Map<string, number>();
  for (const [key, count] of counts) {
    // A row for a key nothing asked for is an effect twice over: of a request the system had turned down.
    if (count > 1 || !expected.has(key)) duplicated.set(key, expected.has(key) ? count : count + 1);
  }
  return {
    name: kind.name,
    expected: expected.size,
    lost: kind.expected.filter((key) => !counts.has(key)),
    duplicated,
  };
}

/** The lines of a failed ledger that say which effects are wrong, for the assertion message. */
export function describeLedger(result: LedgerResult): string {
  return result.effects
    .filter((each) => each.lost.length > 0 || each.duplicated.size > 0)
    .map(
      (each) =>
        `${each.name}: lost ${each.lost.slice(0, 5).join(', ') || 'none'}; twice ${
          [...each.duplicated]
            .map(([key, count]) => `${key}×${count}`)
            .slice(0, 5)
            .join(', ') || 'none'
        }`,
    )
    .join('\n');
}
