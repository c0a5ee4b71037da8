import { contentDigest, uuidv7 } from '@switchyard/bus';
import { type SqlClient, SqlError, type SqlExecutor, sqlStates } from '@switchyard/postgres';
import { addDays } from '../../shared/zoned-time.ts';
import { currencyOf } from '../memberships/contracts.ts';
import type { OrderLine } from './contracts.ts';
import { CustomerRepository } from './customer-repository.ts';
import { firstOpenDeliveryDate, isOpen, regionToday } from './cut-off.ts';
import type { Customer, Order, RequestedLine, StandingOrder } from './order.ts';
import {
  changePastCutOff,
  customerNotMember,
  membershipEnded,
  orderClosed,
  orderIdReused,
  orderPastCutOff,
  unknownOrder,
  unknownProduct,
} from './order-problems.ts';
import { OrderRepository } from './order-repository.ts';
import { combineRequestedLines, discountedPrice, type PricingRules, standardPricing } from './pricing.ts';
import { ProductCatalogue } from './product-catalogue.ts';
import { type Weekday, weekdayOf } from './weekdays.ts';

/** A standing order as a customer places it. */
export interface StandingOrderRequest {
  /**
   * Chosen by the client so that it can send the order again when it got no answer: an id placed
   * before is answered with that order, not placed twice. Without one, the order gets a UUIDv7.
   */
  readonly orderId?: string;
  readonly customerId: string;
  readonly lines: readonly RequestedLine[];
  readonly weekdays: readonly Weekday[];
}

/** A one-off order as a customer places it. */
export interface OneOffOrderRequest {
  /** As for a standing order: an id placed before is answered with that order. */
  readonly orderId?: string;
  readonly customerId: string;
  readonly deliveryDate: string;
  readonly lines: readonly RequestedLine[];
}

/**
 * Takes, changes and cancels orders under the rules customers are told: only members order, prices
 * carry their discount, and nothing changes for a delivery after its cut-off. Breaking a rule is a
 * ProblemError saying which rule, for which value, and what to do instead.
 */
export class OrderDesk {
  readonly #sql: SqlClient;
  readonly #now: () => number;
  readonly #customers: CustomerRepository;
  readonly #orders: OrderRepository;
  readonly #catalogue: ProductCatalogue;
  readonly #pricing: PricingRules;

  constructor(
    services: { readonly sql: SqlClient; readonly schema: string; readonly now: () => number },
    pricing: PricingRules = standardPricing,
  ) {
    this.#pricing = pricing;
    this.#sql = services.sql;
    this.#now = services.now;
    this.#customers = new CustomerRepository(services.schema);
    this.#orders = new OrderRepository(services.schema);
    this.#catalogue = new ProductCatalogue(services.schema);
  }

  /** A standing order, delivered from the first date still open. */
  placeStanding(request: StandingOrderRequest): Promise<Order> {
    const digest = requestDigest('standing', request, { weekdays: [...new Set(request.weekdays)].sort() });
    return this.#placeOnce(request, 'standing', digest, async (tx) => {
      const customer = await this.#orderingCustomer(tx, request.customerId);
      const now = new Date(this.#now());
      const order: Order = {
        orderId: request.orderId ?? uuidv7(),
        customerId: customer.customerId,
        kind: 'standing',
        status: 'open',
        weekdays: [...new Set(request.weekdays)],
        startsOn: firstOpenDeliveryDate(now, customer.region),
        endsBefore: undefined,
        lines: await this.#price(tx, customer, request.lines),
        currency: currencyOf(customer.region),
        createdAt: now,
        updatedAt: now,
      };
      await this.#orders.insert(tx, order, digest);
      return order;
    });
  }

  /** A one-off order, refused once its date's cut-off has passed. */
  placeOneOff(request: OneOffOrderRequest): Promise<Order> {
    const digest = requestDigest('one-off', request, { deliveryDate: request.deliveryDate });
    return this.#placeOnce(request, 'one-off', digest, async (tx) => {
      const customer = await this.#orderingCustomer(tx, request.customerId);
      const now = new Date(this.#now());
      this.#requireOpen(request.deliveryDate, customer, now);
      const order: Order = {
        orderId: request.orderId ?? uuidv7(),
        customerId: customer.customerId,
        kind: 'one-off',
        status: 'open',
        deliveryDate: request.deliveryDate,
        lines: await this.#price(tx, customer, request.lines),
        currency: currencyOf(customer.region),
        createdAt: now,
        updatedAt: now,
      };
      await this.#orders.insert(tx, order, digest);
      return order;
    });
  }

  /** New lines, priced at the member's discount now, before the next delivery they would change closes. */
  amend(orderId: string, lines: readonly RequestedLine[]): Promise<Order> {
    return this.#change(orderId, 'amend', async (tx, order, customer, now) => ({
      ...order,
      lines: await this.#price(tx, customer, lines),
      updatedAt: now,
    }));
  }

  /** Cancels an order before the next delivery it would change closes; a standing order delivers nothing from then on. */
  cancel(orderId: string): Promise<Order> {
    return this.#change(orderId, 'cancel', async (_tx, order, customer, now) =>
      order.kind === 'standing'
        ? {
            ...order,
            status: 'cancelled',
            endsBefore: firstOpenDeliveryDate(now, customer.region),
            updatedAt: now,
          }
        : { ...order, status: 'cancelled', updatedAt: now },
    );
  }

  async find(orderId: string): Promise<Order | undefined> {
    return this.#orders.find(this.#sql, orderId);
  }

  /** A member's orders; a customer orders has not heard of is a 404 problem. */
  async ofCustomer(customerId: string): Promise<Order[]> {
    if (!(await this.#customers.find(this.#sql, customerId))) throw customerNotMember(customerId);
    return this.#orders.ofCustomer(this.#sql, customerId);
  }

  #change(
    orderId: string,
    what: 'amend' | 'cancel',
    apply: (tx: SqlExecutor, order: Order, customer: Customer, now: Date) => Promise<Order>,
  ): Promise<Order> {
    return this.#sql.transaction(async (tx) => {
      const order = await this.#orders.find(tx, orderId, true);
      if (!order) throw unknownOrder(orderId);
      if (order.status !== 'open') {
        const why =
          order.status === 'cancelled'
            ? `was cancelled at ${order.updatedAt.toISOString()}`
            : `was stopped at ${order.updatedAt.toISOString()} because the membership ended`;
        throw orderClosed(order, why, what);
      }
      const customer = await this.#customers.find(tx, order.customerId);
      if (!customer) throw customerNotMember(order.customerId);
      const now = new Date(this.#now());
      const date =
        order.kind === 'standing'
          ? nextDeliveryOf(order, regionToday(now, customer.region))
          : order.deliveryDate;
      if (!isOpen(date, customer.region, now)) {
        throw changePastCutOff(order, date, customer.region, now);
      }
      const changed = await apply(tx, order, customer, now);
      await this.#orders.update(tx, changed);
      return changed;
    });
  }

  /**
   * Places an order once per order id, as payment APIs treat idempotency keys. A request sent again
   * with the id of an order already placed (its first answer lost) gets that order back; the same id
   * with a different request (another customer, kind, date, weekdays or lines) is a 409 naming the id.
   * Requests are compared by the digest of their canonical form, kept with the order. Two requests
   * at once meet at the primary key, and the loser reads the winner's order.
   */
  async #placeOnce(
    request: { readonly orderId?: string | undefined; readonly customerId: string },
    kind: Order['kind'],
    digest: string,
    place: (tx: SqlExecutor) => Promise<Order>,
  ): Promise<Order> {
    const { orderId } = request;
    if (orderId === undefined) return this.#sql.transaction(place);
    const placedBefore = async (db: SqlExecutor): Promise<Order | undefined> => {
      const placed = await this.#orders.find(db, orderId);
      if (!placed) return undefined;
      return sameOrderAgain(placed, await this.#orders.requestDigestOf(db, orderId), {
        customerId: request.customerId,
        kind,
        digest,
      });
    };
    try {
      return await this.#sql.transaction(async (tx) => (await placedBefore(tx)) ?? place(tx));
    } catch (error) {
      if (!(error instanceof SqlError && error.sqlState === sqlStates.uniqueViolation)) throw error;
      const placed = await placedBefore(this.#sql);
      if (!placed) throw error;
      return placed;
    }
  }

  async #orderingCustomer(tx: SqlExecutor, customerId: string): Promise<Customer> {
    const customer = await this.#customers.find(tx, customerId);
    if (!customer) throw customerNotMember(customerId);
    if (customer.status === 'ended') throw membershipEnded(customerId);
    return customer;
  }

  #requireOpen(deliveryDate: string, customer: Customer, now: Date): void {
    if (isOpen(deliveryDate, customer.region, now)) return;
    throw orderPastCutOff(deliveryDate, customer.region, now);
  }

  async #price(tx: SqlExecutor, customer: Customer, lines: readonly RequestedLine[]): Promise<OrderLine[]> {
    const catalogue = await this.#catalogue.inRegion(tx, customer.region);
    const prices = new Map(catalogue.map((product) => [product.sku, product.unitPriceMinor]));
    return combineRequestedLines(lines).map((line) => {
      const listPrice = prices.get(line.sku);
      if (listPrice === undefined) {
        throw unknownProduct(line.sku, customer.region, [...prices.keys()]);
      }
      return {
        ...line,
        unitPriceMinor: discountedPrice(listPrice, customer.discountPercent, this.#pricing.halves),
      };
    });
  }
}

/** The first delivery a change made `today` (region date) would reach: tomorrow or later, from the order's start. */
export function nextDeliveryOf(order: StandingOrder, today: string): string {
  const tomorrow = addDays(today, 1);
  let date = order.startsOn > tomorrow ? order.startsOn : tomorrow;
  for (let day = 0; day < 7; day += 1, date = addDays(date, 1)) {
    if (order.weekdays.includes(weekdayOf(date))) return date;
  }
  throw new Error(`Standing order "${order.orderId}" has no weekdays to deliver on`);
}

/**
 * The digest of an order request in canonical form: what it asks for, not how it was written (lines
 * of one product combined and sorted, weekdays sorted). The order id itself is left out: it is the key.
 */
function requestDigest(
  kind: Order['kind'],
  request: { readonly customerId: string; readonly lines: readonly RequestedLine[] },
  when: { readonly weekdays: readonly Weekday[] } | { readonly deliveryDate: string },
): string {
  return contentDigest({
    kind,
    customerId: request.customerId,
    lines: combineRequestedLines(request.lines),
    ...when,
  });
}

/**
 * The order placed earlier under the id a request brings again, when the request is the same one;
 * a different request under that id is a 409. Orders placed before request digests were kept are
 * compared by customer and kind.
 */
function sameOrderAgain(
  placed: Order,
  placedDigest: string | undefined,
  request: { readonly customerId: string; readonly kind: Order['kind']; readonly digest: string },
): Order {
  const same =
    placedDigest === undefined
      ? placed.customerId === request.customerId && placed.kind === request.kind
      : placedDigest === request.digest;
  if (same) return placed;
  throw orderIdReused(placed);
}
