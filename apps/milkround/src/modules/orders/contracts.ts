import { defineMessage } from '@switchyard/bus';
import { storable } from '@switchyard/host';
import { z } from 'zod';
import { Region } from '../memberships/contracts.ts';

// What the orders module tells the others, and the one command it takes from them.

/** A priced line: the unit price already carries the member's discount. */
export const OrderLine = z.object({
  sku: storable.id(),
  quantity: storable.int(),
  unitPricePence: storable.amountMinor(),
});
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
