import { defineReconciler } from '@switchyard/regression';
import { CustomerCharged, RefundIssued } from './contracts.ts';

// Charge, refund, delivery and complaint ids are made by each environment: what must agree is who paid
// what, in which currency, and in how many charges and refunds.
const environmentIds = ['[*].chargeId', '[*].deliveryId', '[*].refundId', '[*].complaintId'];

/** The shadow regression's view of billing: the same charges and refunds, to the minor unit. */
export const billingReconciler = defineReconciler({
  name: 'billing: charges and refunds',
  messages: [CustomerCharged, RefundIssued],
  compare: (baseline, candidate, t) => [
    ...t.diff(baseline.ofType(CustomerCharged), candidate.ofType(CustomerCharged), {
      ignore: environmentIds,
      messageType: CustomerCharged.urn,
    }),
    ...t.diff(baseline.ofType(RefundIssued), candidate.ofType(RefundIssued), {
      ignore: environmentIds,
      messageType: RefundIssued.urn,
    }),
  ],
});
