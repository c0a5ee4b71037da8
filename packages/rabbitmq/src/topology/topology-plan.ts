import type { BindingSpec, ExchangeSpec, QueueSpec, Topology } from '@switchyard/bus';
import type { LiveQueue, LiveTopology } from '../management-client.ts';

/** One step of a plan. `destructive` steps lose queued messages and need `force`. */
export type PlanStep =
  | { readonly action: 'create-exchange'; readonly exchange: ExchangeSpec }
  | { readonly action: 'create-queue'; readonly queue: QueueSpec }
  | { readonly action: 'create-binding'; readonly binding: BindingSpec }
  | { readonly action: 'remove-binding'; readonly binding: BindingSpec }
  | {
      readonly action: 'replace-queue';
      readonly queue: QueueSpec;
      readonly reason: string;
      readonly messages: number;
      readonly destructive: true;
    }
  | {
      readonly action: 'replace-exchange';
      readonly exchange: ExchangeSpec;
      readonly reason: string;
      readonly destructive: true;
    };

/** What applying a topology would change on the live broker. */
export interface TopologyPlan {
  readonly steps: readonly PlanStep[];
}

/**
 * Compares the wanted topology with the live one. It creates what is missing, replaces what differs
 * (a queue's type or durability can only change by deleting it), and removes bindings into the
 * wanted endpoints that the topology no longer has (a subscription that was dropped). It never
 * removes exchanges or queues: other services may own them.
 */
export function planTopology(wanted: Topology, live: LiveTopology): TopologyPlan {
  const steps: PlanStep[] = [];
  const liveExchanges = new Map(live.exchanges.map((exchange) => [exchange.name, exchange]));
  for (const exchange of wanted.exchanges) {
    const existing = liveExchanges.get(exchange.name);
    if (!existing) steps.push({ action: 'create-exchange', exchange });
    else {
      const differences = [
        existing.type !== 'fanout' ? `type ${existing.type} → fanout` : '',
        existing.durable !== exchange.durable ? `durable ${existing.durable} → ${exchange.durable}` : '',
        existing.auto_delete !== exchange.autoDelete
          ? `auto-delete ${existing.auto_delete} → ${exchange.autoDelete}`
          : '',
      ].filter(Boolean);
      if (differences.length > 0) {
        steps.push({
          action: 'replace-exchange',
          exchange,
          reason: differences.join(', '),
          destructive: true,
        });
      }
    }
  }
  const liveQueues = new Map(live.queues.map((queue) => [queue.name, queue]));
  for (const queue of wanted.queues) {
    const existing = liveQueues.get(queue.name);
    if (!existing) steps.push({ action: 'create-queue', queue });
    else {
      const differences = [
        queueTypeOf(existing) !== queue.queueType
          ? `queue type ${queueTypeOf(existing)} → ${queue.queueType}`
          : '',
        existing.durable !== queue.durable ? `durable ${existing.durable} → ${queue.durable}` : '',
        existing.auto_delete !== queue.autoDelete
          ? `auto-delete ${existing.auto_delete} → ${queue.autoDelete}`
          : '',
      ].filter(Boolean);
      if (differences.length > 0) {
        steps.push({
          action: 'replace-queue',
          queue,
          reason: differences.join(', '),
          messages: existing.messages ?? 0,
          destructive: true,
        });
      }
    }
  }
  const key = (binding: { source: string; destination: string; destinationType: string }) =>
    `${binding.source}\u0000${binding.destinationType}\u0000${binding.destination}`;
  const liveBindings = live.bindings.map((binding) => ({
    source: binding.source,
    destination: binding.destination,
    destinationType: binding.destination_type,
  }));
  const liveKeys = new Set(liveBindings.map(key));
  const wantedKeys = new Set(wanted.bindings.map(key));
  for (const binding of wanted.bindings) {
    if (!liveKeys.has(key(binding))) steps.push({ action: 'create-binding', binding });
  }
  const managedDestinations = new Set([
    ...wanted.exchanges.map((each) => each.name),
    ...wanted.queues.map((each) => each.name),
  ]);
  for (const binding of liveBindings) {
    if (managedDestinations.has(binding.destination) && !wantedKeys.has(key(binding))) {
      steps.push({ action: 'remove-binding', binding });
    }
  }
  return { steps };
}

function queueTypeOf(queue: LiveQueue): string {
  return String(queue.arguments?.['x-queue-type'] ?? queue.type ?? 'classic');
}

/** The plan as lines a person reads: `+ create`, `- remove`, `! replace (destructive)`. */
export function formatPlan(plan: TopologyPlan): string {
  if (plan.steps.length === 0) return 'No changes: the broker matches the topology.';
  return plan.steps
    .map((step) => {
      switch (step.action) {
        case 'create-exchange':
          return `+ exchange ${step.exchange.name} (fanout${step.exchange.durable ? ', durable' : ''})`;
        case 'create-queue':
          return `+ queue ${step.queue.name} (${step.queue.queueType}${step.queue.durable ? ', durable' : ''})`;
        case 'create-binding':
          return `+ binding ${step.binding.source} → ${step.binding.destination} (${step.binding.destinationType})`;
        case 'remove-binding':
          return `- binding ${step.binding.source} → ${step.binding.destination} (${step.binding.destinationType})`;
        case 'replace-queue':
          return `! queue ${step.queue.name}: ${step.reason} (destructive: deletes the queue and its ${step.messages} messages)`;
        case 'replace-exchange':
          return `! exchange ${step.exchange.name}: ${step.reason} (destructive: deletes the exchange and its bindings)`;
      }
      return '';
    })
    .join('\n');
}
