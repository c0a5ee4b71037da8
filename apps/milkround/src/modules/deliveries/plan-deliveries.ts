import { type ConsumeContext, type MessageOf, uuidv7 } from '@switchyard/bus';
import type { SqlTransaction } from '@switchyard/postgres';
import type { DueOrdersListed } from '../orders/contracts.ts';
import { DeliveryRunPlanned } from './contracts.ts';
import { DeliveryPlanned, sagaEndpointName } from './delivery-messages.ts';
import type { DeliveryRepository } from './delivery-repository.ts';
import { planRounds } from './plan-rounds.ts';

/**
 * Turns orders' answer into the date's plan: one delivery per customer (a customer the date already
 * has is skipped by the unique constraint, so running a date twice creates nothing new), the new ones
 * laid out on rounds, a saga started for each, and DeliveryRunPlanned with the size of the plan. All in
 * the consumer's transaction: a crash leaves either the whole of it or none.
 */
export async function planDeliveries(
  listed: MessageOf<typeof DueOrdersListed>,
  context: ConsumeContext,
  tx: SqlTransaction,
  repository: DeliveryRepository,
  options: { now: number; maxStopsPerRound: number },
): Promise<void> {
  const now = new Date(options.now);
  let run = await repository.findRun(tx, listed.runId);
  if (!run) {
    // Someone else asked orders (or a run from before a restore): plan every region and keep a record.
    await repository.recordRun(tx, {
      runId: listed.runId,
      deliveryDate: listed.deliveryDate,
      regions: null,
      source: 'orders',
      requestedAt: now,
    });
    run = await repository.findRun(tx, listed.runId);
  }
  const regions = run?.regions ?? null;
  const due = listed.orders.filter((order) => regions === null || regions.includes(order.region));
  await repository.lockDate(tx, listed.deliveryDate);
  const created = await repository.insertDeliveries(
    tx,
    listed.deliveryDate,
    listed.runId,
    now,
    due.map((order) => ({ ...order, deliveryId: uuidv7() })),
  );
  const plan = planRounds(
    await repository.existingRounds(tx, listed.deliveryDate),
    created,
    options.maxStopsPerRound,
    uuidv7,
  );
  await repository.saveRoundPlan(tx, listed.deliveryDate, plan);
  for (const delivery of created) {
    await context.send(`queue:${sagaEndpointName}`, DeliveryPlanned, {
      deliveryId: delivery.deliveryId,
      runId: listed.runId,
      customerId: delivery.customerId,
      deliveryDate: listed.deliveryDate,
      lines: delivery.lines,
    });
  }
  const size = await repository.planSize(tx, listed.deliveryDate, regions);
  await repository.markRunPlanned(tx, listed.runId, now, size);
  await context.publish(DeliveryRunPlanned, {
    runId: listed.runId,
    deliveryDate: listed.deliveryDate,
    deliveries: size.deliveries,
    rounds: size.rounds,
  });
  context.logger.info(
    { runId: listed.runId, deliveryDate: listed.deliveryDate, created: created.length, ...size },
    'Delivery run planned',
  );
}
