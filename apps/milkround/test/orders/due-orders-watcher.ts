import { consumer, type MessageOf, receiveEndpoint } from '@switchyard/bus';
import { defineModule, type ModuleDefinition } from '@switchyard/host';
import { DueOrdersListed } from '../../src/modules/orders/contracts.ts';

export type Listed = MessageOf<typeof DueOrdersListed>;

/** A module standing in for deliveries: it records every DueOrdersListed, by run. */
export function dueOrdersWatcher(): { module: ModuleDefinition; byRun: Map<string, Listed> } {
  const byRun = new Map<string, Listed>();
  const module = defineModule({
    name: 'due_orders_watcher',
    endpoints: () => [
      receiveEndpoint('due_orders_watcher', {
        consumers: [consumer(DueOrdersListed, (listed) => void byRun.set(listed.runId, listed))],
      }),
    ],
  });
  return { module, byRun };
}
