import { exactPattern, routingNames } from '../topology/routing-names.ts';
import type {
  EndpointRouting,
  RoutingBinding,
  RoutingExchange,
  RoutingQueue,
} from '../topology/wanted-routing.ts';
import { bindingIdentity, type LiveRouting, type LiveRoutingBinding } from './live-routing.ts';

/** One change to the broker's routing, with the service it serves (for logs, drift and the plan). */
export type RoutingStep =
  | { readonly action: 'create-exchange'; readonly service: string; readonly exchange: RoutingExchange }
  | { readonly action: 'create-queue'; readonly service: string; readonly queue: RoutingQueue }
  | { readonly action: 'bind'; readonly service: string; readonly binding: RoutingBinding }
  | {
      readonly action: 'set-policy';
      readonly service: string;
      readonly exchange: string;
      readonly alternateExchange: string;
      readonly was: string | undefined;
    }
  | {
      readonly action: 'unbind';
      readonly service: string;
      readonly binding: LiveRoutingBinding;
      readonly reason: string;
    }
  | {
      readonly action: 'evacuate';
      readonly service: string;
      readonly queue: string;
      readonly to: string;
      readonly messages: number;
      readonly reason: string;
    };

/** What a reconcile would change, in the order it changes it, and what it cannot change. */
export interface RoutingPlan {
  readonly steps: readonly RoutingStep[];
  /** Things only a person can fix (an exchange of the wrong type, another policy winning); nothing is applied while any. */
  readonly conflicts: readonly string[];
}

/** Options of the policies the reconciler writes. */
export interface PlanOptions {
  /** Priority of the reconciler's policies (default 100): above the policies an operator usually writes. */
  readonly policyPriority?: number;
}

/**
 * The steps that bring the broker from `live` to the wanted routing, ordered so that no message is
 * ever unroutable and none reaches two slots:
 *
 * 1. Add: slot exchanges and queues, each slot exchange bound to its queue. Nothing routes to them yet.
 * 2. Point the canary step's alternate exchange at the live slot. This one policy change is the switch:
 *    a message takes either the old live slot or the new, never both, never neither.
 * 3. Canary buckets: add the wanted ones, then remove the others (each removal falls back to live).
 * 4. Router bindings to running slots, then the router's and the entry's policies (entry last: from
 *    then on the entry hands every message on), then remove what no longer belongs: router bindings
 *    to stopped slots, and any binding out of the entry (an unslotted queue's, or one added by hand),
 *    which would take messages before the entry's alternate exchange could.
 * 5. Move messages stranded in queues no slot reads any more (a stopped slot's, the unslotted queue
 *    of before) to the live slot.
 *
 * Every step is idempotent and leaves a state the next run completes: a reconciler killed between
 * any two steps loses nothing.
 */
export function planRouting(
  wanted: readonly EndpointRouting[],
  live: LiveRouting,
  options: PlanOptions = {},
): RoutingPlan {
  const add: RoutingStep[] = [];
  const switchSteps: RoutingStep[] = [];
  const canaryAdds: RoutingStep[] = [];
  const canaryRemovals: RoutingStep[] = [];
  const routerAdds: RoutingStep[] = [];
  const policies: RoutingStep[] = [];
  const removals: RoutingStep[] = [];
  const evacuations: RoutingStep[] = [];
  const conflicts: string[] = [];
  const liveBindings = new Map(live.bindings.map((binding) => [bindingIdentity(binding), binding]));
  const priority = options.policyPriority ?? 100;

  for (const endpoint of wanted) {
    const { service, entry } = endpoint;
    const router = routingNames.router(entry);
    const canary = routingNames.canary(entry);
    for (const exchange of endpoint.exchanges) {
      const existing = live.exchanges.get(exchange.name);
      if (!existing) add.push({ action: 'create-exchange', service, exchange });
      else if (existing.type !== exchange.type) {
        conflicts.push(
          `exchange "${exchange.name}" is a ${existing.type} exchange, the slots' routing needs ${exchange.type}: delete it (it holds no messages) and reconcile again`,
        );
      }
    }
    if (!live.exchanges.has(entry)) {
      // The entry is the application's (its topology declares it); without it nothing can be routed.
      add.push({ action: 'create-exchange', service, exchange: { name: entry, type: 'fanout' } });
    }
    for (const queue of endpoint.queues) {
      if (!live.queues.has(queue.name)) add.push({ action: 'create-queue', service, queue });
    }
    const wantedIdentities = new Set(endpoint.bindings.map(bindingIdentity));
    for (const binding of endpoint.bindings) {
      if (liveBindings.has(bindingIdentity(binding))) continue;
      const step: RoutingStep = { action: 'bind', service, binding };
      if (binding.source === canary) canaryAdds.push(step);
      else if (binding.source === router) routerAdds.push(step);
      else add.push(step);
    }
    for (const policy of endpoint.policies) {
      const name = routingNames.policy(policy.exchange);
      const existing = live.policies.get(name);
      const current = existing?.alternateExchange;
      const upToDate =
        existing !== undefined &&
        current === policy.alternateExchange &&
        existing.pattern === exactPattern(policy.exchange) &&
        existing.priority === priority;
      if (!upToDate) {
        const step: RoutingStep = {
          action: 'set-policy',
          service,
          exchange: policy.exchange,
          alternateExchange: policy.alternateExchange,
          was: current,
        };
        if (policy.exchange === canary) switchSteps.push(step);
        else policies.push(step);
      }
      const applied = live.exchanges.get(policy.exchange)?.policy;
      if (existing !== undefined && applied !== undefined && applied !== name) {
        conflicts.push(
          `policy "${applied}" applies to exchange "${policy.exchange}" instead of "${name}" (one policy applies per exchange): give it a lower priority than ${priority} or a pattern that leaves this exchange out`,
        );
      }
    }
    for (const binding of live.bindings) {
      if (wantedIdentities.has(bindingIdentity(binding))) continue;
      if (binding.source === canary) {
        canaryRemovals.push({ action: 'unbind', service, binding, reason: 'not in the canary share' });
      } else if (binding.source === router) {
        removals.push({ action: 'unbind', service, binding, reason: 'slot not running' });
      } else if (binding.source === entry) {
        removals.push({
          action: 'unbind',
          service,
          binding,
          reason:
            binding.destination === entry
              ? 'the unslotted queue: messages go to the slots'
              : 'a binding out of the entry takes messages before the slots see them',
        });
      }
    }
    const routedQueues = new Set(endpoint.routedSlots.map((slot) => routingNames.slot(entry, slot)));
    const stopped = [...live.queues.keys()].filter(
      (name) => isSlotQueue(name, entry) && !routedQueues.has(name),
    );
    for (const queue of [entry, ...stopped]) {
      const state = live.queues.get(queue);
      if (!state || state.messages === 0 || state.consumers > 0) continue;
      evacuations.push({
        action: 'evacuate',
        service,
        queue,
        to: routingNames.slot(entry, endpoint.live),
        messages: state.messages,
        reason: queue === entry ? 'the unslotted queue, read by no process' : 'its slot stopped',
      });
    }
  }
  return {
    steps: [
      ...add,
      ...switchSteps,
      ...canaryAdds,
      ...canaryRemovals,
      ...routerAdds,
      ...policies,
      ...removals,
      ...evacuations,
    ],
    conflicts,
  };
}

/** `billing@blue` is a slot queue of `billing`; `billing@slots` and `billing@canary` are exchanges, and `billing@blue_error` an error queue. */
function isSlotQueue(name: string, entry: string): boolean {
  if (!name.startsWith(`${entry}@`)) return false;
  const slot = name.slice(entry.length + 1);
  return /^[a-z][a-z0-9-]{0,30}$/.test(slot) && slot !== 'slots' && slot !== 'canary';
}

/** The plan as lines a person reads, with the service of each step. */
export function formatRoutingPlan(plan: RoutingPlan): string {
  const lines = plan.steps.map((step) => {
    switch (step.action) {
      case 'create-exchange':
        return `+ ${step.service}: exchange ${step.exchange.name} (${step.exchange.type})`;
      case 'create-queue':
        return `+ ${step.service}: queue ${step.queue.name} (${step.queue.queueType})`;
      case 'bind':
        return `+ ${step.service}: binding ${describeBinding(step.binding)}`;
      case 'set-policy':
        return `~ ${step.service}: ${step.exchange} hands on unmatched messages to ${step.alternateExchange}${step.was ? ` (was ${step.was})` : ''}`;
      case 'unbind':
        return `- ${step.service}: binding ${describeBinding(step.binding)} (${step.reason})`;
      case 'evacuate':
        return `> ${step.service}: move ${step.messages} message(s) from ${step.queue} to ${step.to} (${step.reason})`;
    }
    return '';
  });
  const conflicts = plan.conflicts.map((conflict) => `! ${conflict}`);
  if (lines.length + conflicts.length === 0)
    return 'No changes: the broker routes as the desired state says.';
  return [...lines, ...conflicts].join('\n');
}

function describeBinding(binding: RoutingBinding): string {
  const args = Object.entries(binding.arguments)
    .filter(([name]) => name !== 'x-match')
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
  return `${binding.source} → ${binding.destination}${args ? ` [${args}]` : ''}`;
}

/** A step found on a pass whose wanted routing had not changed: what was wrong on the broker. */
export function describeDriftStep(step: RoutingStep): string {
  switch (step.action) {
    case 'create-exchange':
      return `exchange ${step.exchange.name} was missing`;
    case 'create-queue':
      return `queue ${step.queue.name} was missing`;
    case 'bind':
      return `binding ${step.binding.source} → ${step.binding.destination} was missing`;
    case 'set-policy':
      return `${step.exchange} handed unmatched messages to ${step.was ?? 'nothing'}, not ${step.alternateExchange}`;
    case 'unbind':
      return `binding ${step.binding.source} → ${step.binding.destination} was not wanted (${step.reason})`;
    case 'evacuate':
      return `queue ${step.queue} held ${step.messages} message(s)`;
  }
  return '';
}
