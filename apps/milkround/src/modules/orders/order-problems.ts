import { type ProblemError, problem, problemType } from '@switchyard/host';
import type { Region } from '../memberships/contracts.ts';
import { describeCutOff, firstOpenDeliveryDate, zoneOf } from './cut-off.ts';
import type { Order } from './order.ts';
import { weekdayOf } from './weekdays.ts';

/** The orders module's codes (its HTTP problems and its endpoint's error), each listed in docs/errors.md. */
declare module '@switchyard/bus' {
  interface SwitchyardErrorCodes {
    CUSTOMER_NOT_KNOWN_YET: '@switchyard/milkround';
    ORDER_CLOSED: '@switchyard/milkround';
    ORDER_CUSTOMER_NOT_MEMBER: '@switchyard/milkround';
    ORDER_ID_REUSED: '@switchyard/milkround';
    ORDER_MEMBERSHIP_ENDED: '@switchyard/milkround';
    ORDER_NOT_FOUND: '@switchyard/milkround';
    ORDER_PAST_CUT_OFF: '@switchyard/milkround';
    ORDER_UNKNOWN_PRODUCT: '@switchyard/milkround';
  }
}

/** The kinds of problem the orders routes answer with, for their `responses` and the factories below. */
export const orderProblems = {
  unknownProduct: problemType('ORDER_UNKNOWN_PRODUCT', 400),
  notMember: problemType('ORDER_CUSTOMER_NOT_MEMBER', 404),
  notFound: problemType('ORDER_NOT_FOUND', 404),
  closed: problemType('ORDER_CLOSED', 409),
  pastCutOff: problemType('ORDER_PAST_CUT_OFF', 409),
  membershipEnded: problemType('ORDER_MEMBERSHIP_ENDED', 409),
  idReused: problemType('ORDER_ID_REUSED', 409),
} as const;

/** No order has this id. */
export function unknownOrder(orderId: string): ProblemError {
  return problem(orderProblems.notFound, 'Unknown order', `There is no order "${orderId}"`);
}

/** The order was cancelled or stopped (`why` says when and how), so it cannot be amended or cancelled. */
export function orderClosed(order: Order, why: string, what: 'amend' | 'cancel'): ProblemError {
  return problem(
    orderProblems.closed,
    `Order is ${order.status}`,
    `Order "${order.orderId}" ${why}, so it cannot be ${what === 'amend' ? 'amended' : 'cancelled'}; place a new order instead`,
  );
}

/** A change to an order whose next delivery (`date`) is past its cut-off. */
export function changePastCutOff(order: Order, date: string, region: Region, now: Date): ProblemError {
  return problem(
    orderProblems.pastCutOff,
    'Past the cut-off',
    order.kind === 'standing'
      ? `The next delivery of standing order "${order.orderId}" is on ${date} (${weekdayOf(date)}), and changes to it closed at ${describeCutOff(date, region)}; it is now ${now.toISOString()}. From 00:00 ${zoneOf[region]} on ${date} a change applies to the deliveries after it`
      : `Order "${order.orderId}" is for delivery on ${date}, and changes to it closed at ${describeCutOff(date, region)}; it is now ${now.toISOString()}`,
  );
}

/** A new order for a delivery date past its cut-off. */
export function orderPastCutOff(deliveryDate: string, region: Region, now: Date): ProblemError {
  return problem(
    orderProblems.pastCutOff,
    'Past the cut-off',
    `Orders for delivery on ${deliveryDate} closed at ${describeCutOff(deliveryDate, region)}; it is now ${now.toISOString()}. The first date still open in the ${region} is ${firstOpenDeliveryDate(now, region)}`,
  );
}

/** The customer's membership has ended, so they cannot order. */
export function membershipEnded(customerId: string): ProblemError {
  return problem(
    orderProblems.membershipEnded,
    'Membership ended',
    `The membership of customer "${customerId}" has ended, so they cannot order; join again with POST /memberships`,
  );
}

/** A product not sold in the customer's region; `skus` are those that are. */
export function unknownProduct(sku: string, region: Region, skus: readonly string[]): ProblemError {
  return problem(
    orderProblems.unknownProduct,
    'Unknown product',
    `No product "${sku}" is sold in the ${region}; choose from ${skus.join(', ')}`,
  );
}

/** Orders has not heard that this customer joined. */
export function customerNotMember(customerId: string): ProblemError {
  return problem(
    orderProblems.notMember,
    'Not a member',
    `Customer "${customerId}" is not a member: orders has not heard that they joined. Join with POST /memberships first (orders hears of it within moments)`,
  );
}

/** An order id placed before, for a different request. */
export function orderIdReused(placed: Order): ProblemError {
  return problem(
    orderProblems.idReused,
    'Order id already used',
    `Order id "${placed.orderId}" was used already, for a different request (a ${placed.kind} order of customer "${placed.customerId}"); send exactly that request again to get its order, or choose a new orderId for a new order`,
  );
}
