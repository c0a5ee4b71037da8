import { z } from 'zod';
import { Currency } from '../memberships/contracts.ts';
import { OrderLine } from './contracts.ts';
import type { Order } from './order.ts';
import { weekdays } from './weekdays.ts';

/** An order as the routes show it. */
export const OrderView = z.object({
  orderId: z.string(),
  customerId: z.string(),
  kind: z.enum(['standing', 'one-off']),
  /** `cancelled` by the customer; `stopped` because the membership ended. */
  status: z.enum(['open', 'cancelled', 'stopped']),
  /** Standing orders: the weekdays delivered, the first date delivered, and the first date no longer delivered. */
  weekdays: z.array(z.enum(weekdays)).nullable(),
  startsOn: z.string().nullable(),
  endsBefore: z.string().nullable(),
  /** One-off orders: the date delivered. */
  deliveryDate: z.string().nullable(),
  /** Prices in minor units of `currency` with the member's discount applied. */
  lines: z.array(OrderLine),
  /** The ISO 4217 currency of the prices: GBP for UK customers, USD for US ones. */
  currency: Currency,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type OrderView = z.infer<typeof OrderView>;

export function viewOf(order: Order): OrderView {
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    kind: order.kind,
    status: order.status,
    weekdays: order.kind === 'standing' ? [...order.weekdays] : null,
    startsOn: order.kind === 'standing' ? order.startsOn : null,
    endsBefore: order.kind === 'standing' ? (order.endsBefore ?? null) : null,
    deliveryDate: order.kind === 'one-off' ? order.deliveryDate : null,
    lines: [...order.lines],
    currency: order.currency,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}
