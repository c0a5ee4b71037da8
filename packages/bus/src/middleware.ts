import type { MessageType } from './contracts/message-type.ts';
import type { ConsumeContext } from './endpoint/consume-context.ts';
import type { Envelope } from './envelope/envelope.ts';
import type { HeaderValue } from './transport/transport.ts';

// The bus's two extension points, side by side: inbound middleware wraps every consumer of a received
// message, outbound middleware wraps every message the bus or a consumer produces. Each gets one typed
// input and a `next`; work before `next()` happens before the step, work after it once the step is done.

/** A filter around consumers: do work before and after `next()`, or skip it. */
export type Middleware = (context: ConsumeContext, next: () => Promise<void>) => Promise<void>;

/** Runs the middleware in order around `last`. */
export function composeMiddleware(
  middleware: readonly Middleware[],
  last: (context: ConsumeContext) => Promise<void>,
): (context: ConsumeContext) => Promise<void> {
  // Without middleware the handler is the pipeline: no chain to build for each message.
  if (middleware.length === 0) return last;
  return (context) => {
    const run = (index: number): Promise<void> => {
      const current = middleware[index];
      return current ? current(context, () => run(index + 1)) : last(context);
    };
    return run(0);
  };
}

/** One message on its way out, as outbound middleware sees it: built, validated, not yet encoded. */
export interface OutboundInput {
  /** The envelope as it will be encoded; its `headers` are `headers` below. */
  readonly envelope: Envelope;
  /** The envelope's headers, for middleware to stamp: what is here when `next()` is called is sent. */
  readonly headers: Record<string, HeaderValue>;
  readonly messageType: MessageType;
  /** Published to its type's exchange, or sent to one destination (a queue, or an exchange by address). */
  readonly kind: 'publish' | 'send';
  /** The exchange (publish) or queue or exchange name (send) the message goes to. */
  readonly destination: string;
  /**
   * The message being consumed whose conversation this one joins: set when a consumer produces it
   * (`context` is then set too) and for the fault of a message that failed. Undefined from the bus itself.
   */
  readonly parent: Envelope | undefined;
  /** The consumer's context when a consumer publishes, sends or responds through it. */
  readonly context: ConsumeContext | undefined;
}

/**
 * Wraps the production of every outgoing message: `bus.publish`, `send`, `request` and `scheduleSend`,
 * a consumer's `publish`, `send` and `respond`, and faults. `next()` encodes the envelope and hands the
 * message on: to the transport from the bus, to the scheduler from `scheduleSend`, and to the consumer's
 * outgoing sink from a consumer (sent after it succeeds, or stored in the outbox in its transaction), so
 * the message stored or sent is the stamped one. A middleware that throws or rejects fails the produce
 * with its error; one that does not call `next()` drops the message. Faults alone are sent anyway, with
 * the bus's own stamps: the bus owes every failed message its fault.
 */
export type OutboundMiddleware = (input: OutboundInput, next: () => Promise<void>) => Promise<void>;

/** Outbound middleware composed once: runs the chain around `last` for one message. */
export type OutboundPipeline = (input: OutboundInput, last: () => Promise<void>) => Promise<void>;

/** Composes outbound middleware, first outermost; made once per bus, not per message. */
export function composeOutbound(middleware: readonly OutboundMiddleware[]): OutboundPipeline {
  // Nested once here, so a message costs one `next` closure per middleware and no walk over the list.
  return middleware.reduceRight<OutboundPipeline>(
    (inner, current) => (input, last) => current(input, () => inner(input, last)),
    (_input, last) => last(),
  );
}
