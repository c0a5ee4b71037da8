import { defineReconciler } from '@switchyard/regression';
import { DeliveryCompleted } from './contracts.ts';

/**
 * The shadow regression's view of deliveries: per delivery date, the same lines at the same prices
 * reached the doorstep. Delivery ids are made by each environment, so deliveries pair by date.
 */
export const deliveryReconciler = defineReconciler({
  name: 'deliveries: completed',
  messages: [DeliveryCompleted],
  compare: (baseline, candidate, t) =>
    t.diffMessageLists(baseline.ofType(DeliveryCompleted), candidate.ofType(DeliveryCompleted), {
      key: (delivery) => delivery.deliveryDate,
      ignore: ['deliveryId'],
      messageType: DeliveryCompleted.urn,
    }),
});
