import { type ConsumeContext, type MessageOf, MessageRefusedError, transactionOf } from '@switchyard/bus';
import type { ModuleServices } from '@switchyard/host';
import type { SqlTransaction } from '@switchyard/postgres';
import type { BottlesReturned } from '../returns/contracts.ts';

/** Credits the deposit of each returned bottle to the customer's account, once per return. */
export function creditBottles(services: ModuleServices, depositPerBottleMinor: number) {
  const { schema } = services;
  return async function creditBottles(
    returned: MessageOf<typeof BottlesReturned>,
    context: ConsumeContext,
  ): Promise<void> {
    const tx = transactionOf<SqlTransaction>(context);
    const { rowCount } = await tx.query(
      `insert into ${schema}.credits (credit_id, customer_id, bottles, amount_minor, credited_at)
       values ($1, $2, $3, $4, $5)
       on conflict (credit_id) do nothing`,
      [
        returned.returnId,
        returned.customerId,
        returned.bottles,
        returned.bottles * depositPerBottleMinor,
        new Date(services.now()),
      ],
    );
    if (rowCount === 1) return;
    const { rows } = await tx.query(
      `select customer_id, bottles from ${schema}.credits where credit_id = $1`,
      [returned.returnId],
    );
    const credited = rows[0];
    // The same return id for another return would otherwise vanish as a "duplicate": refuse it, visibly.
    if (credited && (credited.customer_id !== returned.customerId || credited.bottles !== returned.bottles)) {
      throw new MessageRefusedError(
        `Return id "${returned.returnId}" was credited already for a different return (${String(credited.bottles)} bottles of customer "${String(credited.customer_id)}"); send the new return under a new returnId`,
      );
    }
    context.logger.info(
      { returnId: returned.returnId },
      'Bottle return already credited; not crediting again',
    );
  };
}
