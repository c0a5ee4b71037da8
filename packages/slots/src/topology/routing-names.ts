import { slotQueueName, slotRouterName } from '@switchyard/bus';

/**
 * The names of a slotted endpoint's routing. For an endpoint `billing` (the entry: what senders and
 * message types address, exactly as without slots):
 *
 * - `billing@slots`, a headers exchange: a message bound to a running slot goes to that slot;
 * - `billing@canary`, a headers exchange: a new conversation in the canary's buckets goes to the canary;
 * - `billing@<slot>`, a fanout exchange bound to the queue of the same name, which the slot consumes.
 *
 * Each step that matches nothing hands the message to the next by an alternate exchange set by a
 * policy, which the reconciler can change in one step: entry → router → canary → the live slot.
 */
export const routingNames = {
  router: slotRouterName,
  canary: (entry: string): string => `${entry}@canary`,
  slot: slotQueueName,
  /** The reconciler's policy on `exchange`: one per exchange, as RabbitMQ applies one policy to each. */
  policy: (exchange: string): string => `switchyard-slots ${exchange}`,
} as const;

/** A policy pattern matching exactly one exchange name. */
export function exactPattern(name: string): string {
  return `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}
