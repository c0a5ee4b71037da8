import type { ManagementClient } from '@switchyard/rabbitmq';
import type { DesiredSlots, ServiceCatalogue } from '../desired-state/desired-state.ts';
import { ConsumerCounts } from '../reconciler/consumer-counts.ts';
import { type LiveQueueState, readLiveRouting } from '../reconciler/live-routing.ts';
import { routingNames } from '../topology/routing-names.ts';

/**
 * Counts the conversations still bound to a slot: saga instances started there and not finished, and
 * messages scheduled for it and not yet sent. A slot with any is not drained, however empty its queues.
 */
export interface OpenConversationCounter {
  /** Undefined when they cannot be counted (a database without Switchyard's tables). */
  openConversations(service: string, slot: string): Promise<number | undefined>;
}

/** One endpoint's queue in one slot. */
export interface EndpointSlotStatus {
  readonly queue: string;
  readonly exists: boolean;
  /** Messages in the queue, ready or delivered and not yet acknowledged. */
  readonly messages: number;
  readonly unacknowledged: number;
  readonly consumers: number;
}

/** One slot of a service, as `yard slots status` shows it. */
export interface SlotStatus {
  readonly slot: string;
  readonly live: boolean;
  /** The canary's share (whole percent) when this slot is the canary, else 0. */
  readonly canaryPercent: number;
  readonly version: string | undefined;
  readonly endpoints: readonly EndpointSlotStatus[];
  /** Messages in its queues, the unacknowledged among them. */
  readonly messages: number;
  readonly unacknowledged: number;
  readonly consumers: number;
  /** Undefined when no counter was given (the status then judges by queues alone, and says so). */
  readonly openConversations: number | undefined;
  /**
   * Neither live nor the canary, its queues empty with nothing unacknowledged, and no conversation bound
   * to it open: stopping its processes now loses nothing and moves nothing.
   */
  readonly drained: boolean;
}

/** A service's slots. */
export interface ServiceSlotStatus {
  readonly service: string;
  readonly live: string;
  readonly previous: string | undefined;
  readonly slots: readonly SlotStatus[];
}

/**
 * Every service's slots, from the desired state and the broker's queues. Queue figures come from the
 * management API, which refreshes them every few seconds (5 s by default): a slot reads drained only
 * once its figures say so, and a wait for drain polls until they do.
 */
export async function readSlotStatus(options: {
  readonly management: ManagementClient;
  readonly desired: DesiredSlots;
  readonly catalogue: ServiceCatalogue;
  readonly conversations?: OpenConversationCounter | undefined;
  /** Only this service (default: every service of the desired state). */
  readonly service?: string | undefined;
  /**
   * The broker's AMQP URL: with it, ready messages and consumers are asked of the broker exactly, not
   * taken from the management API's figures of a few seconds ago (unacknowledged still are).
   */
  readonly amqpUrl?: string | undefined;
}): Promise<ServiceSlotStatus[]> {
  const { desired, catalogue, conversations } = options;
  const live = await readLiveRouting(options.management);
  if (options.amqpUrl !== undefined) {
    const counts = new ConsumerCounts(options.amqpUrl);
    try {
      const queues = [...live.queues.keys()].filter((name) => name.includes('@'));
      for (const [queue, exact] of await counts.of(queues)) {
        const figures = live.queues.get(queue);
        if (figures)
          (live.queues as Map<string, LiveQueueState>).set(queue, {
            ...figures,
            consumers: exact.consumers,
            messages: exact.ready + figures.unacknowledged,
          });
      }
    } finally {
      await counts.close();
    }
  }
  const services = Object.entries(desired.services).filter(
    ([service]) => options.service === undefined || service === options.service,
  );
  const result: ServiceSlotStatus[] = [];
  for (const [service, state] of services) {
    const slots: SlotStatus[] = [];
    for (const slot of desired.slots) {
      const endpoints = (catalogue.services[service] ?? []).map((endpoint): EndpointSlotStatus => {
        const queue = routingNames.slot(endpoint.name, slot);
        const figures = live.queues.get(queue);
        return {
          queue,
          exists: figures !== undefined,
          messages: figures?.messages ?? 0,
          unacknowledged: figures?.unacknowledged ?? 0,
          consumers: figures?.consumers ?? 0,
        };
      });
      const sum = (pick: (each: EndpointSlotStatus) => number) =>
        endpoints.reduce((total, each) => total + pick(each), 0);
      const isLive = slot === state.live;
      const canaryPercent = state.canary?.slot === slot ? state.canary.percent : 0;
      const open = conversations ? await conversations.openConversations(service, slot) : undefined;
      const messages = sum((each) => each.messages);
      const unacknowledged = sum((each) => each.unacknowledged);
      slots.push({
        slot,
        live: isLive,
        canaryPercent,
        version: state.versions?.[slot],
        endpoints,
        messages,
        unacknowledged,
        consumers: sum((each) => each.consumers),
        openConversations: open,
        drained:
          !isLive && canaryPercent === 0 && messages === 0 && unacknowledged === 0 && (open ?? 0) === 0,
      });
    }
    result.push({ service, live: state.live, previous: state.previous, slots });
  }
  return result;
}
