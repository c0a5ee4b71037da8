import type { MessageType } from '../contracts/message-type.ts';
import { envelopeHeaders } from '../envelope/envelope.ts';
import { composeOutbound, type OutboundMiddleware, type OutboundPipeline } from '../middleware.ts';
import { traceContext } from '../observability/telemetry.ts';

/** How a bus binds what its consumers produce to a slot. */
export interface SlotAffinityOptions {
  /** The slot this process runs in; undefined when it runs in none. */
  readonly slot?: string | undefined;
  /**
   * Messages of these types are never bound to a slot and go to the live slot of whatever consumes
   * them: recurring work that would otherwise keep an old slot busy for ever (a nightly tick that books
   * the next one), or anything the new version should take at once.
   */
  readonly followsLive?: (type: MessageType) => boolean;
}

/**
 * A conversation that began in a slot is finished by that slot. A message produced while consuming is
 * bound to the slot that consumes: this process's slot when it runs in one (the conversation is here
 * now, whichever slot its message named), else the slot of the consumed message, carried through
 * services that run in no slot. A slot the producer set itself is kept; types that follow the live
 * slot are never bound. Messages produced outside a consumer (an HTTP request with no affinity, a
 * timer) begin new conversations, which the broker routes to the live slot or a canary.
 */
export function slotAffinity(options: SlotAffinityOptions = {}): OutboundMiddleware {
  const { slot: ownSlot, followsLive } = options;
  return (input, next) => {
    if (envelopeHeaders.slot in input.headers) return next();
    if (followsLive?.(input.messageType)) return next();
    const parentSlot = input.parent?.headers[envelopeHeaders.slot];
    const slot = input.parent && ownSlot !== undefined ? ownSlot : parentSlot;
    if (slot !== undefined && slot !== null) input.headers[envelopeHeaders.slot] = slot;
    return next();
  };
}

/** The affinity of a bus that runs in no slot: a consumed message's slot stays with its conversation. */
export const slotFromParent: OutboundMiddleware = slotAffinity();

/**
 * The stamps every bus puts on what it produces, outermost, before the application's outbound
 * middleware: the slot, then the trace context (whose producer span so covers the application's
 * middleware and the hand-over).
 */
export const defaultOutbound: readonly OutboundMiddleware[] = Object.freeze([slotFromParent, traceContext]);

/** The default stamps composed, for producers made without a bus's own pipeline. */
export const defaultOutboundPipeline: OutboundPipeline = composeOutbound(defaultOutbound);
