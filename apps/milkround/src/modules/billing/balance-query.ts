import { column, type SqlExecutor } from '@switchyard/postgres';
import { type Currency, currencyOf } from '../memberships/contracts.ts';
import { regionOf } from './customer-regions.ts';

/** Everything on a customer's account so far, in minor units of `currency`. */
export interface Balance {
  readonly customerId: string;
  readonly currency: Currency;
  readonly chargedMinor: number;
  readonly refundedMinor: number;
  readonly creditedMinor: number;
  /** What the customer owes: charges less refunds and credits (negative: in credit). */
  readonly balanceMinor: number;
}

/** The balance of `customerId`, or undefined when billing has nothing for them. */
export async function readBalance(
  sql: SqlExecutor,
  schema: string,
  customerId: string,
): Promise<Balance | undefined> {
  const { rows } = await sql.query(
    `select
       (select count(*) from ${schema}.charges where customer_id = $1)
         + (select count(*) from ${schema}.refunds where customer_id = $1)
         + (select count(*) from ${schema}.credits where customer_id = $1) as entries,
       (select coalesce(sum(amount_minor), 0) from ${schema}.charges where customer_id = $1) as charged,
       (select coalesce(sum(amount_minor), 0) from ${schema}.refunds
          where customer_id = $1 and refused_reason is null) as refunded,
       (select coalesce(sum(amount_minor), 0) from ${schema}.credits where customer_id = $1) as credited`,
    [customerId],
  );
  const row = rows[0];
  if (!row || column.integer(row, 'entries') === 0) return undefined;
  const chargedMinor = column.integer(row, 'charged');
  const refundedMinor = column.integer(row, 'refunded');
  const creditedMinor = column.integer(row, 'credited');
  return {
    customerId,
    currency: currencyOf(await regionOf(sql, schema, customerId)),
    chargedMinor,
    refundedMinor,
    creditedMinor,
    balanceMinor: chargedMinor - refundedMinor - creditedMinor,
  };
}
