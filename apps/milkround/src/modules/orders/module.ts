import { defineModule, type ModuleDefinition } from '@switchyard/host';
import { loadMigrations } from '@switchyard/postgres';
import { seedDemoOrders } from './demo-orders.ts';
import { orderRoutes } from './order-routes.ts';
import { dueOrdersEndpoint, memberEventsEndpoint } from './orders-endpoints.ts';
import type { PricingRules } from './pricing.ts';

const migrations = await loadMigrations(new URL('./migrations/', import.meta.url));

/**
 * Orders: members' standing and one-off orders, priced with their discount and closed for each date at
 * 20:00 local time the day before; the nightly run asks it which deliveries a date needs.
 */
export function ordersModule(options: { readonly pricing?: PricingRules } = {}): ModuleDefinition {
  return defineModule({
    name: 'orders',
    migrations,
    endpoints: (services) => [memberEventsEndpoint(services), dueOrdersEndpoint(services)],
    routes: (services) => orderRoutes(services, options.pricing),
    seed: (services) => seedDemoOrders(services, options.pricing),
  });
}
