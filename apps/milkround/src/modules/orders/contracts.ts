import { defineMessage } from '@switchyard/bus';
import { storable } from '@switchyard/host';
import { z } from 'zod';
import { acceptingPreviousNames } from '../../shared/previous-field-names.ts';
import { Region } from '../memberships/contracts.ts';

// What the orders module tells the others, and the one command it takes from them.

/**
 * A priced line: the unit price, in minor units of the customer's currency, already carries the
 * member's discount. Lines written by the release before decision 0026 (in queued messages, saga data
 * and stored deliveries) name the price `unitPricePence`; they are read as `unitPriceMinor`.
 */
export const OrderLine = acceptingPreviousNames(
  z.object({
    sku: storable.id(),
    quantity: storable.int(),
    unitPriceMinor: storable.amountMinor(),
  }),
  { unitPricePence: 'unitPriceMinor' },
);
export type OrderLine = z.infer<typeof OrderLine>;

/** Asks orders which deliveries a date needs (the nightly run sends it). */
export const ListDueOrders = defineMessage(
  'milkround.orders.ListDueOrders',
  z.object({ runId: storable.id(), deliveryDate: storable.date() }),
);

/** One customer's order for one date; several orders of a customer for a date are merged into one. */
export const DueOrder = z.object({
  customerId: storable.id(),
  region: Region,
  postcode: storable.text(),
  lines: z.array(OrderLine).min(1),
  orderIds: z.array(storable.id()).min(1),
});
export type DueOrder = z.infer<typeof DueOrder>;

/** The answer to ListDueOrders: every customer to deliver to on that date. */
export const DueOrdersListed = defineMessage(
  'milkround.orders.DueOrdersListed',
  z.object({ runId: storable.id(), deliveryDate: storable.date(), orders: z.array(DueOrder) }),
);
