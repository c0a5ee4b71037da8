import { column, type SqlExecutor } from '@switchyard/postgres';
import { type Currency, currencyOf } from '../memberships/contracts.ts';
import { regionOf } from './customer-regions.ts';

/** A deposit credit for returned bottles, under the return's id. */
export interface Credit {
  readonly creditId: string;
  readonly status: 'credited';
  readonly customerId: string;
  readonly bottles: number;
  /** In minor units of `currency`. */
  readonly amountMinor: number;
  readonly currency: Currency;
  readonly creditedAt: string;
}

/** The credit made for return `creditId`, or undefined while (or if) there is none. */
export async function readCredit(
  sql: SqlExecutor,
  schema: string,
  creditId: string,
): Promise<Credit | undefined> {
  const { rows } = await sql.query(
    `select customer_id, bottles, amount_minor, credited_at from ${schema}.credits where credit_id = $1`,
    [creditId],
  );
  const row = rows[0];
  if (!row) return undefined;
  const customerId = column.text(row, 'customer_id');
  return {
    creditId,
    status: 'credited',
    customerId,
    bottles: column.integer(row, 'bottles'),
    amountMinor: column.integer(row, 'amount_minor'),
    currency: currencyOf(await regionOf(sql, schema, customerId)),
    creditedAt: column.timestamp(row, 'credited_at').toISOString(),
  };
}
