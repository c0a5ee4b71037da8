import { type ModuleServices, type RouteDefinition, route, storable } from '@switchyard/host';
import { z } from 'zod';
import { clientChosenId } from '../../shared/client-chosen-id.ts';
import { Currency, currencyOf, Region } from '../memberships/contracts.ts';
import type { Order } from './order.ts';
import { OrderDesk } from './order-desk.ts';
import { orderProblems, unknownOrder } from './order-problems.ts';
import { OrderView, viewOf } from './order-view.ts';
import type { PricingRules } from './pricing.ts';
import { ProductCatalogue } from './product-catalogue.ts';
import { weekdays } from './weekdays.ts';

const Lines = z
  .array(z.object({ sku: storable.id(), quantity: storable.int({ max: 99 }) }))
  .min(1)
  .max(50);

const OrderId = clientChosenId('orderId');

const StandingBody = z.object({
  orderId: OrderId.optional(),
  customerId: storable.id(),
  lines: Lines,
  weekdays: z.array(z.enum(weekdays)).min(1).max(7),
});

const OneOffBody = z.object({
  orderId: OrderId.optional(),
  customerId: storable.id(),
  deliveryDate: storable.date(),
  lines: Lines,
});

const OrderParams = z.object({ orderId: storable.id() });
const CustomerParams = z.object({ customerId: storable.id() });

const ProductView = z.object({
  sku: z.string(),
  name: z.string(),
  /** The list price, before any member's discount, in minor units of `currency`. */
  unitPriceMinor: z.number().int(),
  /** The ISO 4217 currency of the region's prices: GBP in the UK, USD in the US. */
  currency: Currency,
});

const placed = {
  201: {
    description:
      'The order, priced with the member’s discount; the same order again when its orderId was placed before',
    schema: OrderView,
  },
  400: {
    description: 'Invalid request, or a product not sold in the customer’s region',
    problems: [orderProblems.unknownProduct],
  },
  404: { description: 'The customer is not a member', problems: [orderProblems.notMember] },
  409: {
    description:
      'The membership has ended, the delivery date is past its cut-off, or the orderId is another customer’s or kind’s order',
    problems: [orderProblems.membershipEnded, orderProblems.pastCutOff, orderProblems.idReused],
  },
} as const;

const changed = {
  200: { description: 'The order afterwards', schema: OrderView },
  400: {
    description: 'Invalid request, or a product not sold in the customer’s region',
    problems: [orderProblems.unknownProduct],
  },
  404: {
    description: 'No such order (or its customer is no longer known)',
    problems: [orderProblems.notFound, orderProblems.notMember],
  },
  409: {
    description: 'The order is cancelled or stopped, or its next delivery is past its cut-off',
    problems: [orderProblems.closed, orderProblems.pastCutOff],
  },
} as const;

/** The orders routes: place standing and one-off orders, look them up, amend and cancel them, and the catalogue. */
export function orderRoutes(services: ModuleServices, pricing?: PricingRules): RouteDefinition[] {
  const desk = new OrderDesk(services, pricing);
  const catalogue = new ProductCatalogue(services.schema);
  return [
    route({
      method: 'POST',
      url: '/orders/standing',
      summary: 'Place a standing order: delivered every listed weekday from the first date still open',
      tags: ['orders'],
      body: StandingBody,
      responses: placed,
      handler: async ({ body }) => placedAnswer(await desk.placeStanding(body)),
    }),
    route({
      method: 'POST',
      url: '/orders/one-off',
      summary: 'Place a one-off order for one date, before 20:00 local time the day before',
      tags: ['orders'],
      body: OneOffBody,
      responses: placed,
      handler: async ({ body }) => placedAnswer(await desk.placeOneOff(body)),
    }),
    route({
      method: 'GET',
      url: '/orders/:orderId',
      summary: 'An order',
      tags: ['orders'],
      params: OrderParams,
      responses: {
        200: { description: 'The order', schema: OrderView },
        404: { description: 'No such order', problems: [orderProblems.notFound] },
      },
      handler: async ({ params }) => {
        const order = await desk.find(params.orderId);
        if (!order) throw unknownOrder(params.orderId);
        return { status: 200, body: viewOf(order) };
      },
    }),
    route({
      method: 'PATCH',
      url: '/orders/:orderId',
      summary: 'Replace the lines of an order, before the cut-off of the next delivery it changes',
      tags: ['orders'],
      params: OrderParams,
      body: z.object({ lines: Lines }),
      responses: changed,
      handler: async ({ params, body }) => ({
        status: 200,
        body: viewOf(await desk.amend(params.orderId, body.lines)),
      }),
    }),
    route({
      method: 'DELETE',
      url: '/orders/:orderId',
      summary: 'Cancel an order, before the cut-off of the next delivery it changes',
      tags: ['orders'],
      params: OrderParams,
      responses: changed,
      handler: async ({ params }) => ({ status: 200, body: viewOf(await desk.cancel(params.orderId)) }),
    }),
    route({
      method: 'GET',
      url: '/customers/:customerId/orders',
      summary: "A member's orders, oldest first",
      tags: ['orders'],
      params: CustomerParams,
      responses: {
        200: { description: 'The orders', schema: z.array(OrderView) },
        404: { description: 'The customer is not a member', problems: [orderProblems.notMember] },
      },
      handler: async ({ params }) => ({
        status: 200,
        body: (await desk.ofCustomer(params.customerId)).map(viewOf),
      }),
    }),
    route({
      method: 'GET',
      url: '/products',
      summary: 'The products sold in a region, with list prices in minor units of the region’s currency',
      tags: ['orders'],
      query: z.object({ region: Region }),
      responses: { 200: { description: 'The products', schema: z.array(ProductView) } },
      handler: async ({ query }) => {
        const currency = currencyOf(query.region);
        const products = await catalogue.inRegion(services.sql, query.region);
        return { status: 200, body: products.map((product) => ({ ...product, currency })) };
      },
    }),
  ];
}

/** 201 with the order, and where to read it again (the orderId is URL-safe: a UUID or a client-chosen id). */
function placedAnswer(order: Order) {
  return { status: 201 as const, body: viewOf(order), headers: { location: `/orders/${order.orderId}` } };
}
