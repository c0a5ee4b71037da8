import { type DeploymentProfiles, defineApp, type ModuleDefinition } from '@switchyard/host';
import { billingModule } from './modules/billing/module.ts';
import { deliverySaga } from './modules/deliveries/delivery-saga.ts';
import { deliveriesModule } from './modules/deliveries/module.ts';
import { membershipsModule } from './modules/memberships/module.ts';
import { renewalSaga } from './modules/memberships/renewal-saga.ts';
import { ordersModule } from './modules/orders/module.ts';
import type { PricingRules } from './modules/orders/pricing.ts';
import { complaintSaga } from './modules/returns/complaint-saga.ts';
import { returnsModule } from './modules/returns/module.ts';

/** What a build of the reference system may change (the regression demo's candidate changes pricing). */
export interface MilkroundOptions {
  readonly pricing?: PricingRules;
}

/** Every module of the reference system, with production settings unless `options` change them. */
export function milkroundModules(options: MilkroundOptions = {}): ModuleDefinition[] {
  return [
    membershipsModule(),
    ordersModule(options.pricing ? { pricing: options.pricing } : {}),
    deliveriesModule(),
    returnsModule(),
    billingModule(),
  ];
}

/**
 * How the modules may be split across processes that cooperate through the broker: `all` in one
 * process (the embedded default), or the customer-facing modules apart from the back office.
 */
export const milkroundProfiles: DeploymentProfiles = {
  all: ['memberships', 'orders', 'deliveries', 'returns', 'billing'],
  storefront: ['memberships', 'orders', 'returns'],
  operations: ['deliveries', 'billing'],
};

/** The reference system as `yard` and `npm start` run it. */
export const app = defineApp({
  title: 'Milkround',
  version: '0.1.0',
  modules: milkroundModules,
  profiles: milkroundProfiles,
  // For `yard saga show`, which reads instances by saga name; the options do not change the names.
  sagas: [
    renewalSaga({ graceMs: 1 }),
    deliverySaga({ parkLimitMs: 1 }),
    complaintSaga({ refundAnswerTimeoutMs: 1 }),
  ],
});
