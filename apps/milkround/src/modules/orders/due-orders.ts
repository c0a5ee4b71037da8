import type { DueOrder } from './contracts.ts';
import type { DueLineRow } from './order-repository.ts';
import { mergeLines } from './pricing.ts';

/** One DueOrder per customer: the lines of all their orders due that date merged, and every order named. */
export function dueOrdersOf(rows: readonly DueLineRow[]): DueOrder[] {
  const byCustomer = new Map<string, { first: DueLineRow; rows: DueLineRow[] }>();
  for (const row of rows) {
    const group = byCustomer.get(row.customerId);
    if (group) group.rows.push(row);
    else byCustomer.set(row.customerId, { first: row, rows: [row] });
  }
  return [...byCustomer.values()].map(({ first, rows: own }) => ({
    customerId: first.customerId,
    region: first.region,
    postcode: first.postcode,
    lines: mergeLines(own.map((row) => row.line)),
    orderIds: [...new Set(own.map((row) => row.orderId))],
  }));
}
