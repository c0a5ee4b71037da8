import { defineMessage } from '@switchyard/bus';
import { storable } from '@switchyard/host';
import { z } from 'zod';
import { acceptingPreviousNames } from '../../shared/previous-field-names.ts';
import { Currency } from '../memberships/contracts.ts';

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

/**
 * How a complaint ended: the amount refunded in minor units of `currency` (0 when refused). Messages
 * sent by the release before decision 0026 name the amount `amountPence`; they are read as `amountMinor`.
 */
export const ComplaintResolved = defineMessage(
  'milkround.returns.ComplaintResolved',
  acceptingPreviousNames(
    z.object({
      complaintId: storable.id(),
      outcome: z.enum(['refunded', 'refused']),
      amountMinor: storable.amountMinor(),
      /** The currency billing refunded in; absent when refused, or when billing's answer did not say. */
      currency: Currency.optional(),
      reason: storable.text().optional(),
    }),
    { amountPence: 'amountMinor' },
  ),
);

/** Empty bottles collected from a doorstep; billing credits the deposit. */
export const BottlesReturned = defineMessage(
  'milkround.returns.BottlesReturned',
  z.object({ returnId: storable.id(), customerId: storable.id(), bottles: storable.int() }),
);
