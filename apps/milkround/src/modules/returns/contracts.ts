import { defineMessage } from '@switchyard/bus';
import { z } from 'zod';

/** Returns asks billing to refund what a complaint is about; billing prices it from what it charged. */
export const RefundRequested = defineMessage(
  'milkround.returns.RefundRequested',
  z.object({
    refundId: z.string(),
    complaintId: z.string(),
    customerId: z.string(),
    deliveryId: z.string(),
    sku: z.string(),
    quantity: z.number().int().positive(),
  }),
);

export const ComplaintResolved = defineMessage(
  'milkround.returns.ComplaintResolved',
  z.object({
    complaintId: z.string(),
    outcome: z.enum(['refunded', 'refused']),
    amountPence: z.number().int().nonnegative(),
    reason: z.string().optional(),
  }),
);

/** Empty bottles collected from a doorstep; billing credits the deposit. */
export const BottlesReturned = defineMessage(
  'milkround.returns.BottlesReturned',
  z.object({ returnId: z.string(), customerId: z.string(), bottles: z.number().int().positive() }),
);
