import type { Headers } from '../transport/transport.ts';

/** Where a message was produced, as MassTransit's `host` block describes it. */
export interface HostInfo {
  readonly machineName?: string | undefined;
  readonly processName?: string | undefined;
  readonly processId?: number | undefined;
  readonly assembly?: string | undefined;
  readonly assemblyVersion?: string | undefined;
  readonly frameworkVersion?: string | undefined;
  readonly massTransitVersion?: string | undefined;
  readonly operatingSystemVersion?: string | undefined;
}

/**
 * Everything that travels with a message. Field names and meanings are MassTransit's, so the default
 * codec can write and read its JSON envelope. Addresses are URIs such as `rabbitmq://host/vhost/queue`.
 */
export interface Envelope<T = unknown> {
  readonly messageId: string;
  readonly correlationId?: string | undefined;
  /** Shared by every message caused, directly or not, by the first one. */
  readonly conversationId?: string | undefined;
  /** The id of the message whose handling caused this one. */
  readonly initiatorId?: string | undefined;
  /** Set on requests and copied onto their responses and faults. */
  readonly requestId?: string | undefined;
  readonly sourceAddress?: string | undefined;
  readonly destinationAddress?: string | undefined;
  readonly responseAddress?: string | undefined;
  readonly faultAddress?: string | undefined;
  /** Message type URNs, most specific first. */
  readonly messageType: readonly string[];
  readonly message: T;
  /** ISO-8601 time the message was sent. */
  readonly sentTime: string;
  /** ISO-8601 time after which the message is no longer wanted. */
  readonly expirationTime?: string | undefined;
  /** Application and context headers, including `traceparent`, `tracestate` and the slot header. */
  readonly headers: Headers;
  readonly host?: HostInfo | undefined;
}

/** Header names the bus reads and writes in the envelope. */
export const envelopeHeaders = {
  /** W3C trace context, carried as MassTransit carries it. */
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  /** The blue/green slot a conversation belongs to; reserved for slot affinity. */
  slot: 'Switchyard-Slot',
} as const;
