import { type Envelope, envelopeHeaders } from '../envelope/envelope.ts';
import { ConfigurationError } from '../errors.ts';
import type { Headers, HeaderValue } from '../transport/transport.ts';

/**
 * What a blue/green slot means to the bus. A service runs in slots, each its own processes with its own
 * queues; the broker routes each message to one of them (@switchyard/slots builds that routing). The
 * bus's part: name a slotted endpoint's queue, and put on every message the transport headers that
 * routing reads, since a RabbitMQ headers exchange sees transport headers, not the envelope's body.
 */

/** Transport headers the slots' routing reads; copied from the envelope by the bus on every message. */
export const slotRoutingHeaders = {
  /** The slot a conversation is bound to, as in the envelope. */
  slot: envelopeHeaders.slot,
  /** The conversation's canary bucket, "0" to "99": the same for every message of a conversation. */
  bucket: 'Switchyard-Bucket',
} as const;

/** Slot names: short, lower case, safe in queue names, policy patterns and metric labels. */
const slotNamePattern = /^[a-z][a-z0-9-]{0,30}$/;

/** Checks a slot name, naming where it came from in the error. */
export function checkSlotName(where: string, slot: string): void {
  if (!slotNamePattern.test(slot)) {
    throw new ConfigurationError(
      `${where} "${slot}" is not a slot name: a lower-case letter, then up to 30 lower-case letters, digits or "-"`,
    );
  }
}

/**
 * The queue, and the exchange bound to it, that an endpoint consumes from in a slot. "@" cannot occur
 * in an endpoint name the bus makes, so the slotted name never collides with an unslotted one.
 */
export function slotQueueName(endpoint: string, slot: string): string {
  return `${endpoint}@${slot}`;
}

/**
 * The endpoint a queue serves: `billing` for `billing@blue`, the queue itself otherwise. What is kept
 * per endpoint and must be the same in every slot (the inbox's record of handled messages) is keyed by it:
 * slots are one service, and a message moved from one slot to another must be found handled.
 */
export function endpointOfQueue(queue: string): string {
  const at = queue.indexOf('@');
  return at > 0 ? queue.slice(0, at) : queue;
}

/**
 * The exchange that leads a service endpoint's messages to its slots. Its existence marks the endpoint
 * as running in slots: a sender then must not declare a queue of the endpoint's name behind it.
 */
export function slotRouterName(endpoint: string): string {
  return `${endpoint}@slots`;
}

/**
 * A conversation's canary bucket: a stable hash (32-bit FNV-1a) of its id, modulo 100. Stable across
 * processes and versions, so every message of a conversation lands in the same bucket.
 */
export function conversationBucket(conversationId: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < conversationId.length; index++) {
    hash ^= conversationId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % 100;
}

/** The routing headers of an envelope: its slot if bound to one, and always its conversation's bucket. */
export function routingHeadersOf(envelope: Envelope): Headers {
  const headers: Record<string, HeaderValue> = {
    [slotRoutingHeaders.bucket]: String(conversationBucket(envelope.conversationId ?? envelope.messageId)),
  };
  const slot = envelope.headers[envelopeHeaders.slot];
  if (typeof slot === 'string') headers[slotRoutingHeaders.slot] = slot;
  return headers;
}
