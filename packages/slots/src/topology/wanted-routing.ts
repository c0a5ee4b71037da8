import { slotRoutingHeaders } from '@switchyard/bus';
import type { CatalogueEndpoint, ServiceSlots } from '../desired-state/desired-state.ts';
import { routingNames } from './routing-names.ts';

/** An exchange the routing needs, with its type. */
export interface RoutingExchange {
  readonly name: string;
  readonly type: 'headers' | 'fanout';
}

/** A slot's queue, of the type its processes declare. */
export interface RoutingQueue {
  readonly name: string;
  readonly queueType: 'classic' | 'quorum';
}

/** A binding with its arguments (a headers exchange matches on them; empty for fanout). */
export interface RoutingBinding {
  readonly source: string;
  readonly destination: string;
  readonly destinationType: 'exchange' | 'queue';
  readonly arguments: Readonly<Record<string, string>>;
}

/** Where an exchange sends what none of its bindings takes (its alternate exchange, by policy). */
export interface RoutingPolicy {
  readonly exchange: string;
  readonly alternateExchange: string;
}

/** What one endpoint of a slotted service needs on the broker. */
export interface EndpointRouting {
  readonly service: string;
  readonly entry: string;
  readonly live: string;
  /** Slots the router leads bound messages to: the live one, the canary, and every running one. */
  readonly routedSlots: readonly string[];
  readonly exchanges: readonly RoutingExchange[];
  readonly queues: readonly RoutingQueue[];
  readonly bindings: readonly RoutingBinding[];
  readonly policies: readonly RoutingPolicy[];
}

/** What decides which slots are routed to, besides the desired state. */
export interface SlotLiveness {
  /** Whether the slot's processes consume this queue now (or did within the grace period). */
  readonly running: (queue: string) => boolean;
}

/**
 * The routing one endpoint needs for its service's desired state. A slot is routed to while it is
 * live, the canary, or running: a conversation bound to a slot that stopped goes to the live slot
 * instead of waiting for ever in a queue nobody reads.
 */
export function wantedEndpointRouting(
  service: string,
  endpoint: CatalogueEndpoint,
  desired: ServiceSlots,
  slots: readonly string[],
  liveness: SlotLiveness,
): EndpointRouting {
  const entry = endpoint.name;
  const router = routingNames.router(entry);
  const canary = routingNames.canary(entry);
  const routedSlots = slots.filter(
    (slot) =>
      slot === desired.live ||
      slot === desired.canary?.slot ||
      liveness.running(routingNames.slot(entry, slot)),
  );
  const exchanges: RoutingExchange[] = [
    { name: router, type: 'headers' },
    { name: canary, type: 'headers' },
  ];
  const queues: RoutingQueue[] = [];
  const bindings: RoutingBinding[] = [];
  for (const slot of routedSlots) {
    const slotName = routingNames.slot(entry, slot);
    exchanges.push({ name: slotName, type: 'fanout' });
    queues.push({ name: slotName, queueType: endpoint.queueType });
    bindings.push({ source: slotName, destination: slotName, destinationType: 'queue', arguments: {} });
    bindings.push({
      source: router,
      destination: slotName,
      destinationType: 'exchange',
      arguments: { 'x-match': 'all', [slotRoutingHeaders.slot]: slot },
    });
  }
  if (desired.canary) {
    const canarySlot = routingNames.slot(entry, desired.canary.slot);
    // One binding per bucket: a conversation's bucket matches at most one, so a share never copies.
    for (let bucket = 0; bucket < desired.canary.percent; bucket++) {
      bindings.push({
        source: canary,
        destination: canarySlot,
        destinationType: 'exchange',
        arguments: { 'x-match': 'all', [slotRoutingHeaders.bucket]: String(bucket) },
      });
    }
  }
  const policies: RoutingPolicy[] = [
    { exchange: canary, alternateExchange: routingNames.slot(entry, desired.live) },
    { exchange: router, alternateExchange: canary },
    { exchange: entry, alternateExchange: router },
  ];
  return { service, entry, live: desired.live, routedSlots, exchanges, queues, bindings, policies };
}
