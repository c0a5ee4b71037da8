import { column, type SqlExecutor } from '@switchyard/postgres';

/** Everything on a customer's account so far. */
export interface Balance {
  readonly customerId: string;
  readonly chargedPence: number;
  readonly refundedPence: number;
  readonly creditedPence: number;
  /** What the customer owes: charges less refunds and credits (negative: in credit). */
  readonly balancePence: number;
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
       (select coalesce(sum(amount_pence), 0) from ${schema}.charges where customer_id = $1) as charged,
       (select coalesce(sum(amount_pence), 0) from ${schema}.refunds
          where customer_id = $1 and refused_reason is null) as refunded,
       (select coalesce(sum(amount_pence), 0) from ${schema}.credits where customer_id = $1) as credited`,
    [customerId],
  );
  const row = rows[0];
  if (!row || column.integer(row, 'entries') === 0) return undefined;
  const chargedPence = column.integer(row, 'charged');
  const refundedPence = column.integer(row, 'refunded');
  const creditedPence = column.integer(row, 'credited');
  return {
    customerId,
    chargedPence,
    refundedPence,
    creditedPence,
    balancePence: chargedPence - refundedPence - creditedPence,
  };
}
