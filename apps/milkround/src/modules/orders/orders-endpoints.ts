import {
  consumer,
  type ReceiveEndpointDefinition,
  receiveEndpoint,
  SwitchyardError,
  transactional,
  transactionOf,
} from '@switchyard/bus';
import type { ModuleServices } from '@switchyard/host';
import type { SqlTransaction } from '@switchyard/postgres';
import {
  MemberJoined,
  MembershipEnded,
  MembershipPaused,
  MembershipResumed,
} from '../memberships/contracts.ts';
import { DueOrdersListed, ListDueOrders } from './contracts.ts';
import { CustomerRepository } from './customer-repository.ts';
import { firstOpenDeliveryDate } from './cut-off.ts';
import { dueOrdersOf } from './due-orders.ts';
import { OrderRepository } from './order-repository.ts';
import { weekdayOf } from './weekdays.ts';

/** A membership event about a customer whose MemberJoined has not arrived yet; redelivery will bring it. */
export class CustomerNotKnownYetError extends SwitchyardError {
  constructor(customerId: string, event: string) {
    super(
      'CUSTOMER_NOT_KNOWN_YET',
      `${event} for customer "${customerId}", but orders has not yet heard that they joined; the message is retried later`,
    );
  }
}

/**
 * Keeps the customers table from the memberships events. One at a time, so that a member's pause and
 * resume are applied in the order they were published.
 */
export function memberEventsEndpoint(services: ModuleServices): ReceiveEndpointDefinition {
  const customers = new CustomerRepository(services.schema);
  const orders = new OrderRepository(services.schema);
  const now = () => new Date(services.now());
  return receiveEndpoint('orders-members', {
    concurrency: 1,
    retry: {
      immediate: { limit: 2, intervalsMs: [50, 200] },
      redelivery: { intervalsMs: [1_000, 5_000, 30_000] },
    },
    middleware: [transactional(services.transactional)],
    consumers: [
      consumer(MemberJoined, async (joined, context) => {
        await customers.joined(transactionOf<SqlTransaction>(context), joined, now());
      }),
      consumer(MembershipPaused, async (paused, context) => {
        const tx = transactionOf<SqlTransaction>(context);
        const customer = await customers.moveTo(tx, paused.customerId, 'paused', ['active'], now());
        if (!customer) throw new CustomerNotKnownYetError(paused.customerId, 'MembershipPaused');
      }),
      consumer(MembershipResumed, async (resumed, context) => {
        const tx = transactionOf<SqlTransaction>(context);
        const customer = await customers.moveTo(tx, resumed.customerId, 'active', ['paused'], now());
        if (!customer) throw new CustomerNotKnownYetError(resumed.customerId, 'MembershipResumed');
      }),
      consumer(MembershipEnded, async (ended, context) => {
        const tx = transactionOf<SqlTransaction>(context);
        const customer = await customers.moveTo(tx, ended.customerId, 'ended', ['active', 'paused'], now());
        if (!customer) throw new CustomerNotKnownYetError(ended.customerId, 'MembershipEnded');
        const endedAt = new Date(ended.endedAt);
        await orders.stopForCustomer(
          tx,
          customer.customerId,
          firstOpenDeliveryDate(endedAt, customer.region),
          now(),
        );
      }),
    ],
  });
}

/** Answers the nightly run's ListDueOrders with every customer to deliver to on the date (none is an answer too). */
export function dueOrdersEndpoint(services: ModuleServices): ReceiveEndpointDefinition {
  const orders = new OrderRepository(services.schema);
  return receiveEndpoint('orders', {
    middleware: [transactional(services.transactional)],
    consumers: [
      consumer(ListDueOrders, async (request, context) => {
        const tx = transactionOf<SqlTransaction>(context);
        const rows = await orders.dueOn(tx, request.deliveryDate, weekdayOf(request.deliveryDate));
        await context.publish(DueOrdersListed, {
          runId: request.runId,
          deliveryDate: request.deliveryDate,
          orders: dueOrdersOf(rows),
        });
      }),
    ],
  });
}
