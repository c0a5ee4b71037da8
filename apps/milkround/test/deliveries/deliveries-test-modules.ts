import { consumer, type MessageOf, receiveEndpoint } from '@switchyard/bus';
import { defineModule, type ModuleDefinition } from '@switchyard/host';
import { DeliveryCompleted, DeliveryRunPlanned } from '../../src/modules/deliveries/contracts.ts';
import { type DueOrder, DueOrdersListed, ListDueOrders } from '../../src/modules/orders/contracts.ts';

/** Stands in for orders: answers ListDueOrders with the fixed orders of the date (none for other dates). */
export function answeringOrdersModule(ordersByDate: Readonly<Record<string, readonly DueOrder[]>>): {
  module: ModuleDefinition;
  asked: { runId: string; deliveryDate: string }[];
} {
  const asked: { runId: string; deliveryDate: string }[] = [];
  const module = defineModule({
    name: 'test_orders',
    endpoints: () => [
      receiveEndpoint('test_orders', {
        consumers: [
          consumer(ListDueOrders, async (question, context) => {
            asked.push(question);
            await context.publish(DueOrdersListed, {
              runId: question.runId,
              deliveryDate: question.deliveryDate,
              orders: [...(ordersByDate[question.deliveryDate] ?? [])],
            });
          }),
        ],
      }),
    ],
  });
  return { module, asked };
}

/** Records what deliveries publishes for the other modules, each copy as it arrives. */
export function watcherModule(): {
  module: ModuleDefinition;
  completed: MessageOf<typeof DeliveryCompleted>[];
  planned: MessageOf<typeof DeliveryRunPlanned>[];
} {
  const completed: MessageOf<typeof DeliveryCompleted>[] = [];
  const planned: MessageOf<typeof DeliveryRunPlanned>[] = [];
  const module = defineModule({
    name: 'test_watcher',
    endpoints: () => [
      receiveEndpoint('test_watcher', {
        consumers: [
          consumer(DeliveryCompleted, (message) => void completed.push(message)),
          consumer(DeliveryRunPlanned, (message) => void planned.push(message)),
        ],
      }),
    ],
  });
  return { module, completed, planned };
}

/** A customer's due order with one line. */
export function dueOrder(
  customerId: string,
  region: DueOrder['region'],
  postcode: string,
  sku = 'semi-skimmed-1pt',
  quantity = 2,
): DueOrder {
  return {
    customerId,
    region,
    postcode,
    lines: [{ sku, quantity, unitPriceMinor: region === 'UK' ? 95 : 120 }],
    orderIds: [`order-${customerId}`],
  };
}
