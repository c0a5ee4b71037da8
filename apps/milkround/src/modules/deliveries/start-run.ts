import type { ConsumeContext, MessageOf } from '@switchyard/bus';
import type { SqlTransaction } from '@switchyard/postgres';
import { ListDueOrders } from '../orders/contracts.ts';
import type { StartDeliveryRun } from './delivery-messages.ts';
import type { DeliveryRepository } from './delivery-repository.ts';

/**
 * Records the run and asks for the date's due orders in one transaction: the question leaves only if
 * the run is recorded, so the answer always finds the run (and which regions it plans). ListDueOrders
 * is published rather than sent to a queue: deliveries need not know which endpoint of orders answers.
 */
export async function startRun(
  run: MessageOf<typeof StartDeliveryRun>,
  context: ConsumeContext,
  tx: SqlTransaction,
  repository: DeliveryRepository,
  now: number,
): Promise<void> {
  await repository.recordRun(tx, {
    runId: run.runId,
    deliveryDate: run.deliveryDate,
    regions: run.region ? [run.region] : null,
    source: run.source,
    requestedAt: new Date(now),
  });
  await context.publish(ListDueOrders, { runId: run.runId, deliveryDate: run.deliveryDate });
}
