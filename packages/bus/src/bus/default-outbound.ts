import { envelopeHeaders } from '../envelope/envelope.ts';
import { composeOutbound, type OutboundMiddleware, type OutboundPipeline } from '../middleware.ts';
import { traceContext } from '../observability/telemetry.ts';

/**
 * A message produced while consuming stays in the slot of the message that caused it, unless the
 * producer set the slot header itself: a conversation that began on blue is finished by blue.
 */
export const slotFromParent: OutboundMiddleware = (input, next) => {
  const slot = input.parent?.headers[envelopeHeaders.slot];
  if (slot !== undefined && !(envelopeHeaders.slot in input.headers))
    input.headers[envelopeHeaders.slot] = slot;
  return next();
};

/**
 * The stamps every bus puts on what it produces, outermost, before the application's outbound
 * middleware: the slot, then the trace context (whose producer span so covers the application's
 * middleware and the hand-over).
 */
export const defaultOutbound: readonly OutboundMiddleware[] = Object.freeze([slotFromParent, traceContext]);

/** The default stamps composed, for producers made without a bus's own pipeline. */
export const defaultOutboundPipeline: OutboundPipeline = composeOutbound(defaultOutbound);
