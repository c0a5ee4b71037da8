import { ConfigurationError, consumer, receiveEndpoint, transactional } from '@switchyard/bus';
import { defineModule, type ModuleDefinition } from '@switchyard/host';
import { loadMigrations } from '@switchyard/postgres';
import { recordFailuresOf, stringField } from '../../shared/command-failures.ts';
import { DeliveryCompleted } from '../deliveries/contracts.ts';
import { MemberJoined } from '../memberships/contracts.ts';
import { BottlesReturned, RefundRequested } from '../returns/contracts.ts';
import { billingRoutes, creditFailure } from './billing-routes.ts';
import { chargeDelivery } from './charge-delivery.ts';
import { creditBottles } from './credit-bottles.ts';
import { rememberRegion } from './customer-regions.ts';
import { issueRefund } from './issue-refund.ts';

const migrations = await loadMigrations(new URL('./migrations/', import.meta.url));

/** Options of the billing module. */
export interface BillingOptions {
  /** The deposit credited for each returned bottle, in minor units of the customer's currency (default 20). */
  readonly depositPerBottleMinor?: number;
}

/**
 * Billing: charges each completed delivery once, prices and issues refunds against those charges,
 * credits bottle deposits, and shows each customer's monthly invoice and balance.
 */
export function billingModule(options: BillingOptions = {}): ModuleDefinition {
  const depositPerBottleMinor = options.depositPerBottleMinor ?? 20;
  if (!Number.isSafeInteger(depositPerBottleMinor) || depositPerBottleMinor < 0) {
    throw new ConfigurationError(
      `billingModule depositPerBottleMinor must be a whole number of minor units of at least 0, got ${depositPerBottleMinor}`,
    );
  }
  return defineModule({
    name: 'billing',
    migrations,
    endpoints: (services) => [
      receiveEndpoint('billing', {
        middleware: [transactional(services.transactional)],
        consumers: [
          consumer(DeliveryCompleted, chargeDelivery(services)),
          consumer(RefundRequested, issueRefund(services)),
          consumer(BottlesReturned, creditBottles(services, depositPerBottleMinor)),
          consumer(MemberJoined, rememberRegion(services)),
        ],
      }),
      // Returns answered 202 for each BottlesReturned: a return billing cannot credit shows as failed.
      receiveEndpoint('billing-failures', {
        consumers: [
          recordFailuresOf(BottlesReturned, {
            sql: services.sql,
            schema: services.schema,
            kind: creditFailure,
            failingEndpoint: 'billing',
            subjectOf: (returned) => {
              const returnId = stringField(returned, 'returnId');
              return returnId === undefined ? undefined : { resourceId: returnId, commandId: returnId };
            },
          }),
        ],
      }),
    ],
    routes: billingRoutes,
  });
}
