import type { Currency, Region } from '../memberships/contracts.ts';
import type { OrderLine } from './contracts.ts';
import type { Weekday } from './weekdays.ts';

/** Whether a member gets deliveries, as orders last heard from memberships. */
export type CustomerStatus = 'active' | 'paused' | 'ended';

/** A member as orders knows them. */
export interface Customer {
  readonly customerId: string;
  readonly name: string;
  readonly region: Region;
  readonly postcode: string;
  readonly discountPercent: number;
  readonly status: CustomerStatus;
}

/** `cancelled` by the customer; `stopped` because the membership ended. */
export type OrderStatus = 'open' | 'cancelled' | 'stopped';

interface OrderBase {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  /** Unit prices already carry the member's discount. */
  readonly lines: readonly OrderLine[];
  /** The currency of the prices: the customer's region decides it. */
  readonly currency: Currency;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Delivered every listed weekday from `startsOn`, until `endsBefore` once cancelled or stopped. */
export interface StandingOrder extends OrderBase {
  readonly kind: 'standing';
  readonly weekdays: readonly Weekday[];
  readonly startsOn: string;
  readonly endsBefore: string | undefined;
}

/** Delivered once, on `deliveryDate`. */
export interface OneOffOrder extends OrderBase {
  readonly kind: 'one-off';
  readonly deliveryDate: string;
}

export type Order = StandingOrder | OneOffOrder;

/** A line as the customer asks for it, before pricing. */
export interface RequestedLine {
  readonly sku: string;
  readonly quantity: number;
}
