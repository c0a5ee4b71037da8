import { defineMessage } from '@switchyard/bus';
import { storable } from '@switchyard/host';
import { z } from 'zod';

export const CustomerCharged = defineMessage(
  'milkround.billing.CustomerCharged',
  z.object({
    chargeId: storable.id(),
    customerId: storable.id(),
    deliveryId: storable.id(),
    amountPence: storable.int({ min: -2_147_483_648 }),
  }),
);

export const RefundIssued = defineMessage(
  'milkround.billing.RefundIssued',
  z.object({
    refundId: storable.id(),
    complaintId: storable.id(),
    customerId: storable.id(),
    amountPence: storable.int({ min: -2_147_483_648 }),
  }),
);

/** Nothing was charged for what the complaint names, or it was refunded already. */
export const RefundRefused = defineMessage(
  'milkround.billing.RefundRefused',
  z.object({ refundId: storable.id(), complaintId: storable.id(), reason: storable.text() }),
);
