import type { ModuleServices } from '@switchyard/host';
import { CustomerRepository } from './customer-repository.ts';
import { firstOpenDeliveryDate } from './cut-off.ts';
import { OrderDesk } from './order-desk.ts';
import type { PricingRules } from './pricing.ts';

// The memberships module's demo customers (by id: modules share messages, not code). They reach this
// module as MemberJoined, so the seed waits for them a little before ordering on their behalf.
const demoStandingOrders = [
  {
    orderId: '019ab000-0000-7000-8000-000000000001',
    customerId: 'demo-ada',
    weekdays: ['mon', 'wed', 'fri'],
    lines: [
      { sku: 'milk-1pt', quantity: 2 },
      { sku: 'eggs-6', quantity: 1 },
    ],
  },
  {
    orderId: '019ab000-0000-7000-8000-000000000002',
    customerId: 'demo-alan',
    weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
    lines: [{ sku: 'semi-1pt', quantity: 1 }],
  },
  {
    orderId: '019ab000-0000-7000-8000-000000000003',
    customerId: 'demo-grace',
    weekdays: ['tue', 'thu', 'sat'],
    lines: [
      { sku: 'milk-1pt', quantity: 3 },
      { sku: 'oat-1l', quantity: 1 },
    ],
  },
] as const;

const demoOneOffOrder = {
  orderId: '019ab000-0000-7000-8000-000000000004',
  customerId: 'demo-grace',
  lines: [
    { sku: 'orange-1l', quantity: 2 },
    { sku: 'butter-250g', quantity: 1 },
  ],
} as const;

const waitForMembersMs = 5_000;

/** Places the demo orders that are not there yet, through the same rules as the routes. */
export async function seedDemoOrders(services: ModuleServices, pricing?: PricingRules): Promise<void> {
  const desk = new OrderDesk(services, pricing);
  const customers = new CustomerRepository(services.schema);
  const ids = [...new Set([...demoStandingOrders, demoOneOffOrder].map((each) => each.customerId))];
  const deadline = Date.now() + waitForMembersMs;
  const missing = async () => {
    const found = await Promise.all(ids.map((id) => customers.find(services.sql, id)));
    return ids.filter((_, index) => !found[index]);
  };
  let absent = await missing();
  while (absent.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    absent = await missing();
  }
  if (absent.length > 0) {
    services.logger.warn(
      { customers: absent },
      'No demo orders for these customers: orders has not heard that they joined (is the memberships module running and seeding?)',
    );
  }
  for (const order of demoStandingOrders) {
    if (absent.includes(order.customerId) || (await desk.find(order.orderId))) continue;
    await desk.placeStanding(order);
  }
  if (!absent.includes(demoOneOffOrder.customerId) && !(await desk.find(demoOneOffOrder.orderId))) {
    const deliveryDate = firstOpenDeliveryDate(new Date(services.now()), 'US');
    await desk.placeOneOff({ ...demoOneOffOrder, deliveryDate });
  }
}
