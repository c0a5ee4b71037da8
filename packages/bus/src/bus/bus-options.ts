import type { Logger } from 'pino';
import type { Codec } from '../codec/codec.ts';
import type { MessageType } from '../contracts/message-type.ts';
import type { MessageOptions, MessageProducer } from '../endpoint/consume-context.ts';
import type { DeliveryObserver } from '../endpoint/endpoint-runtime.ts';
import type { ReceiveEndpointDefinition } from '../endpoint/receive-endpoint.ts';
import type { Middleware, OutboundMiddleware } from '../middleware.ts';
import type { Scheduler } from '../ports/scheduler.ts';
import type { RetryPolicy } from '../recoverability/retry-policy.ts';
import type { Topology } from '../topology/topology.ts';
import type { Transport, TransportHealth } from '../transport/transport.ts';
import type { Response } from './request-client.ts';

/** Everything a bus is made of. The bus starts and closes the transport. */
export interface BusOptions {
  readonly transport: Transport;
  readonly endpoints?: readonly ReceiveEndpointDefinition[];
  /** Codecs the bus reads; the first also writes (default: MassTransit's JSON envelope). */
  readonly codecs?: readonly Codec[];
  /** Needed for `scheduleSend`; the bus starts and stops it. */
  // biome-ignore lint/suspicious/noExplicitAny: the bus never passes a transaction, so any Tx fits
  readonly scheduler?: Scheduler<any>;
  /** Default: silent. The host passes its pino logger. */
  readonly logger?: Logger;
  /** Runs around every consumer on every endpoint, outside each endpoint's own middleware. */
  readonly middleware?: readonly Middleware[];
  /**
   * Runs, in order, around every message the bus or its consumers produce (publish, send, request,
   * respond, scheduled sends and faults), after the bus's own stamps (slot, trace context) and before
   * the message is encoded and handed on: to the transport, the scheduler, or a consumer's outbox.
   */
  readonly outbound?: readonly OutboundMiddleware[];
  readonly observers?: readonly DeliveryObserver[];
  /**
   * Started after the transport and before the endpoints, stopped after the endpoints drained and
   * before the transport closes: the outbox dispatcher, for example.
   */
  readonly services?: readonly BusService[];
  /**
   * How long one attempt of a consumer may run on endpoints that set no `timeoutMs` of their own
   * (default: no limit). Past it the attempt's signal aborts and the attempt fails once it settles.
   */
  readonly handlerTimeoutMs?: number;
  /**
   * How endpoints that set no `retry` of their own recover from a failing consumer (default: two
   * immediate retries, no redelivery). A host gives its endpoints delayed redelivery here, so that an
   * outage of a database or a broker longer than the immediate retries does not fill the error queues.
   */
  readonly retry?: RetryPolicy;
  /** Default timeout for `request` (30 s). */
  readonly requestTimeoutMs?: number;
  /** Names this instance's response queue (default: host name, process id and a random suffix). */
  readonly instanceName?: string;
  /**
   * The blue/green slot this process runs in (default: none). Each durable endpoint then consumes from
   * its own queue `<endpoint>@<slot>`, while senders and message types still address `<endpoint>`,
   * which the slots' routing (@switchyard/slots) leads to the live slot, a canary, or the slot a
   * message is bound to. What consumers produce is bound to this slot.
   */
  readonly slot?: string;
  /** Message types never bound to a slot: they go to the live slot of whatever consumes them. */
  readonly slotFollowsLive?: readonly MessageType[];
}

/** Something that runs as long as the bus does. */
export interface BusService {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Options for `request`. */
export interface RequestOptions<R> extends MessageOptions {
  readonly responseType: MessageType<R>;
  /** Where to send the request; without it the request is published. */
  readonly destination?: string;
  readonly timeoutMs?: number;
}

/** Options for `stop`. */
export interface StopOptions {
  /** How long in-flight messages may take to finish before they are abandoned to the queue (default 30 s). */
  readonly deadlineMs?: number;
}

/** A token for a scheduled send, to cancel it. */
export interface ScheduledSend {
  readonly tokenId: string;
  readonly dueAt: Date;
}

/** What `health()` reports. */
export interface BusHealth {
  readonly state: 'stopped' | 'starting' | 'running' | 'stopping';
  readonly transport: TransportHealth;
  readonly endpoints: readonly { readonly name: string; readonly busy: number }[];
}

/** The bus: publish, send, request, schedule, and the receive endpoints that consume. */
export interface Bus extends MessageProducer {
  start(): Promise<void>;
  stop(options?: StopOptions): Promise<void>;
  /** Sends a request and resolves with the typed response, or rejects with a fault or a timeout. */
  request<T, R>(type: MessageType<T>, message: T, options: RequestOptions<R>): Promise<Response<R>>;
  /** Sends `message` to `destination` at `dueAt` through the scheduler. */
  scheduleSend<T>(
    destination: string,
    dueAt: Date,
    type: MessageType<T>,
    message: T,
    options?: MessageOptions,
  ): Promise<ScheduledSend>;
  /** Cancels a scheduled send; resolves false if it had already been sent or never existed. */
  cancelScheduledSend(tokenId: string): Promise<boolean>;
  /** The exchanges, queues and bindings this bus deploys. */
  topology(): Topology;
  health(): BusHealth;
}
