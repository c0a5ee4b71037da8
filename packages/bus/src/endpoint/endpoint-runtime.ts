import type { Logger } from 'pino';
import type { ProducerScope } from '../bus/message-factory.ts';
import type { Codec } from '../codec/codec.ts';
import type { Envelope, HostInfo } from '../envelope/envelope.ts';
import type { OutgoingMessage } from '../ports/outbox.ts';
import type { RetryPolicy } from '../recoverability/retry-policy.ts';
import type { Transport } from '../transport/transport.ts';
import type { ConsumeContext } from './consume-context.ts';
import type { ConsumerDefinition, ReceiveEndpointDefinition } from './receive-endpoint.ts';

/** Told what happened to each message; the test harness and metrics listen here. */
export interface DeliveryObserver {
  consumed?(context: ConsumeContext): void;
  faulted?(event: {
    endpoint: string;
    envelope?: Envelope | undefined;
    error: unknown;
    consumer?: string | undefined;
  }): void;
  skipped?(event: { endpoint: string; envelope: Envelope; reason: 'dead-letter' | 'expired' }): void;
}

/** What a receive endpoint needs from the bus to handle deliveries. */
export interface EndpointRuntime {
  readonly endpoint: ReceiveEndpointDefinition;
  readonly transport: Transport;
  readonly codecs: readonly Codec[];
  /** The codec for messages this endpoint produces (responses, faults). */
  readonly codec: Codec;
  readonly host: HostInfo;
  readonly logger: Logger;
  /** Per consumer: its handler wrapped in the bus's and the endpoint's middleware. */
  readonly pipelines: ReadonlyMap<ConsumerDefinition, (context: ConsumeContext) => Promise<void>>;
  /** Hands messages to the transport; resolves when it has confirmed them. */
  readonly dispatch: (messages: readonly OutgoingMessage[]) => Promise<void>;
  /** Aborted when the bus's stop deadline passes. */
  readonly signal: AbortSignal;
  /** How long one consumer attempt may run: the endpoint's own timeout, else the bus's; none when undefined. */
  readonly handlerTimeoutMs: number | undefined;
  /** The endpoint's retry policy, or the bus's when it has none. */
  readonly retry: RetryPolicy;
  readonly observers: readonly DeliveryObserver[];
  /** What every message this endpoint's consumers produce shares; the consumed message is added per delivery. */
  readonly producer: Omit<ProducerScope, 'parent'>;
}
