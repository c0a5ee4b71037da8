import type { Logger } from 'pino';
import type { MessageType } from '../contracts/message-type.ts';
import type { Envelope } from '../envelope/envelope.ts';
import type { OutgoingMessage } from '../ports/outbox.ts';
import type { Headers } from '../transport/transport.ts';

/** Options for a message published or sent by a consumer or the bus. */
export interface MessageOptions {
  /** Defaults to the consumed message's correlation id, if any. */
  readonly correlationId?: string;
  /** Defaults to a new UUIDv7. */
  readonly messageId?: string;
  readonly headers?: Headers;
  /** The message is no longer wanted this long after it was sent. */
  readonly timeToLiveMs?: number;
  readonly requestId?: string;
  readonly responseAddress?: string;
  readonly faultAddress?: string;
}

/** Where outgoing messages go from a consumer; middleware such as the outbox may replace it. */
export interface MessageSink {
  add(message: OutgoingMessage): Promise<void>;
}

/** What a consumer can publish and send while handling a message; conversation ids flow automatically. */
export interface MessageProducer {
  publish<T>(type: MessageType<T>, message: T, options?: MessageOptions): Promise<void>;
  send<T>(destination: string, type: MessageType<T>, message: T, options?: MessageOptions): Promise<void>;
}

/** Everything a consumer and the middleware around it know about the message being handled. */
export interface ConsumeContext<T = unknown> extends MessageProducer {
  readonly message: T;
  readonly envelope: Envelope<T>;
  readonly messageType: MessageType<T>;
  /** The receive endpoint (queue) the message came from. */
  readonly endpoint: string;
  /** The consumer's name: used for the inbox and in fault headers. */
  readonly consumer: string;
  /** 1 for the first attempt in this delivery, then 2, 3... for immediate retries. */
  readonly attempt: number;
  /** How many times the message was redelivered after delays. */
  readonly redeliveryCount: number;
  /**
   * Aborted when this attempt's timeout passes (the reason is a HandlerTimeoutError) or when the bus
   * stops and its deadline has passed: stop long work and throw. Transactions given it never commit
   * after it aborted.
   */
  readonly signal: AbortSignal;
  /** A logger whose lines carry messageId, correlationId and conversationId. */
  readonly logger: Logger;
  /** Values middleware hands to consumers, such as the open transaction. */
  readonly items: Map<string, unknown>;
  /** Where this context's published and sent messages go; middleware may replace it before `next()`. */
  outgoing: MessageSink;
  /** Sends a response to the requester (the response address), or publishes it if there is none. */
  respond<R>(type: MessageType<R>, message: R, options?: MessageOptions): Promise<void>;
}

// The inbound middleware lives beside the outbound in one file; named here too, where consumers look.
export { composeMiddleware, type Middleware } from '../middleware.ts';
