import { defineMessage } from '@switchyard/bus';
import { storable } from '@switchyard/host';
import { z } from 'zod';

/** Returns asks billing to refund what a complaint is about; billing prices it from what it charged. */
export const RefundRequested = defineMessage(
  'milkround.returns.RefundRequested',
  z.object({
    refundId: storable.id(),
    complaintId: storable.id(),
    customerId: storable.id(),
    deliveryId: storable.id(),
    sku: storable.id(),
    quantity: storable.int(),
  }),
);

export const ComplaintResolved = defineMessage(
  'milkround.returns.ComplaintResolved',
  z.object({
    complaintId: storable.id(),
    outcome: z.enum(['refunded', 'refused']),
    amountPence: storable.amountMinor(),
    reason: storable.text().optional(),
  }),
);

/** Empty bottles collected from a doorstep; billing credits the deposit. */
export const BottlesReturned = defineMessage(
  'milkround.returns.BottlesReturned',
  z.object({ returnId: storable.id(), customerId: storable.id(), bottles: storable.int() }),
);
