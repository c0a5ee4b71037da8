import { defineMessage } from '@switchyard/bus';
import { z } from 'zod';

/** Message types shared by the bus tests: a small slice of a doorstep-delivery business. */
export const OrderPlaced = defineMessage(
  'milkround.orders.OrderPlaced',
  z.object({
    orderId: z.string(),
    lines: z.array(z.object({ sku: z.string(), quantity: z.number().int().positive() })).min(1),
  }),
);

export const OrderAccepted = defineMessage(
  'milkround.orders.OrderAccepted',
  z.object({ orderId: z.string() }),
);

export const CheckStock = defineMessage('milkround.stock.CheckStock', z.object({ sku: z.string() }));

export const StockLevel = defineMessage(
  'milkround.stock.StockLevel',
  z.object({ sku: z.string(), available: z.number().int().nonnegative() }),
);

export const DriverEvent = defineMessage(
  'milkround.deliveries.DriverEvent',
  z.object({ deliveryId: z.string(), sequence: z.number().int() }),
);

/** A valid order with one line. */
export function order(orderId: string, quantity = 2) {
  return { orderId, lines: [{ sku: 'milk-1l', quantity }] };
}
