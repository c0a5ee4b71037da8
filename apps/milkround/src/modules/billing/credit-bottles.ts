import { type ConsumeContext, type MessageOf, transactionOf } from '@switchyard/bus';
import type { ModuleServices } from '@switchyard/host';
import type { SqlTransaction } from '@switchyard/postgres';
import type { BottlesReturned } from '../returns/contracts.ts';

/** Credits the deposit of each returned bottle to the customer's account, once per return. */
export function creditBottles(services: ModuleServices, depositPerBottlePence: number) {
  const { schema } = services;
  return async function creditBottles(
    returned: MessageOf<typeof BottlesReturned>,
    context: ConsumeContext,
  ): Promise<void> {
    const { rowCount } = await transactionOf<SqlTransaction>(context).query(
      `insert into ${schema}.credits (credit_id, customer_id, bottles, amount_pence, credited_at)
       values ($1, $2, $3, $4, $5)
       on conflict (credit_id) do nothing`,
      [
        returned.returnId,
        returned.customerId,
        returned.bottles,
        returned.bottles * depositPerBottlePence,
        new Date(services.now()),
      ],
    );
    if (rowCount === 0) {
      context.logger.info(
        { returnId: returned.returnId },
        'Bottle return already credited; not crediting again',
      );
    }
  };
}
