import { defineMessage } from '@switchyard/bus';
import { z } from 'zod';

export const CustomerCharged = defineMessage(
  'milkround.billing.CustomerCharged',
  z.object({
    chargeId: z.string(),
    customerId: z.string(),
    deliveryId: z.string(),
    amountPence: z.number().int(),
  }),
);

export const RefundIssued = defineMessage(
  'milkround.billing.RefundIssued',
  z.object({
    refundId: z.string(),
    complaintId: z.string(),
    customerId: z.string(),
    amountPence: z.number().int(),
  }),
);

/** Nothing was charged for what the complaint names, or it was refunded already. */
export const RefundRefused = defineMessage(
  'milkround.billing.RefundRefused',
  z.object({ refundId: z.string(), complaintId: z.string(), reason: z.string() }),
);
