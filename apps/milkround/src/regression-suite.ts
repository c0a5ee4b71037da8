import { defineRegressionSuite } from '@switchyard/regression';
import { billingReconciler } from './modules/billing/regression.ts';
import { deliveryReconciler } from './modules/deliveries/regression.ts';
import { membershipReconciler } from './modules/memberships/regression.ts';

/**
 * What `yard regression` runs for milkround: the messages that say what a customer was sold and
 * charged, grouped per customer. HTTP requests start milkround's conversations, and each environment
 * gives its requests ids of its own; the customer id is the key both environments share.
 */
export const suite = defineRegressionSuite({
  name: 'milkround',
  captures: [...membershipReconciler.messages, ...deliveryReconciler.messages, ...billingReconciler.messages],
  reconcilers: [membershipReconciler, deliveryReconciler, billingReconciler],
  groupKey: (captured) => {
    const customerId = (captured.message as { customerId?: unknown } | null)?.customerId;
    return typeof customerId === 'string' ? customerId : `message:${captured.messageId}`;
  },
  // A customer's messages come over minutes (join, delivery, charge, refund): settle on quiet.
  settle: { quietMs: 5_000, maxWaitMs: 600_000 },
});
