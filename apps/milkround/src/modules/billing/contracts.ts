import { defineMessage } from '@switchyard/bus';
import { storable } from '@switchyard/host';
import { z } from 'zod';
import { acceptingPreviousNames } from '../../shared/previous-field-names.ts';
import { Currency } from '../memberships/contracts.ts';

// Amounts are in minor units of `currency` (decision 0026). Messages sent by the release before that
// decision name the amount `amountPence` and carry no currency: they are still read, as `amountMinor`
// with `currency` absent.

export const CustomerCharged = defineMessage(
  'milkround.billing.CustomerCharged',
  acceptingPreviousNames(
    z.object({
      chargeId: storable.id(),
      customerId: storable.id(),
      deliveryId: storable.id(),
      amountMinor: storable.int({ min: -2_147_483_648 }),
      /** The customer's currency; absent only in messages of the release before decision 0026. */
      currency: Currency.optional(),
    }),
    { amountPence: 'amountMinor' },
  ),
);

export const RefundIssued = defineMessage(
  'milkround.billing.RefundIssued',
  acceptingPreviousNames(
    z.object({
      refundId: storable.id(),
      complaintId: storable.id(),
      customerId: storable.id(),
      amountMinor: storable.int({ min: -2_147_483_648 }),
      /** The customer's currency; absent only in messages of the release before decision 0026. */
      currency: Currency.optional(),
    }),
    { amountPence: 'amountMinor' },
  ),
);

/** Nothing was charged for what the complaint names, or it was refunded already. */
export const RefundRefused = defineMessage(
  'milkround.billing.RefundRefused',
  z.object({ refundId: storable.id(), complaintId: storable.id(), reason: storable.text() }),
);
