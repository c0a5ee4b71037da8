import type { Topology } from '../topology/topology.ts';

/** A header value as every transport can carry it (AMQP tables, JSON columns). */
export type HeaderValue = string | number | boolean | null;

/** Header names to values. */
export type Headers = Readonly<Record<string, HeaderValue>>;

/** A message as it crosses a transport: an encoded envelope plus transport-level headers. */
export interface TransportMessage {
  readonly messageId: string;
  readonly correlationId?: string | undefined;
  /** The codec's content type, e.g. `application/vnd.masstransit+json`. */
  readonly contentType: string;
  readonly body: Uint8Array;
  /** Transport headers: fault details, redelivery counts, the reason a message was moved. */
  readonly headers: Headers;
}

/** One delivery of a message from a queue; the consumer settles it exactly once. */
export interface Delivery {
  readonly queue: string;
  readonly message: TransportMessage;
  /** True when the transport delivered this message before and it was not acknowledged. */
  readonly redelivered: boolean;
  /**
   * True only when the transport vouches, from something no producer writes, that this message came
   * back through this queue's own redelivery path (a `send` with `redelivery: true` to this queue).
   * Only then does the bus act on the redelivery headers it carries; undefined means false.
   */
  readonly viaOwnRedelivery?: boolean;
  /**
   * How many times the transport has handed this message out without it being settled, this delivery
   * included (1 on a first delivery); undefined where the transport cannot tell. Drives the delivery limit.
   */
  readonly deliveryCount?: number;
  /** Removes the message from the queue: it has been handled or moved somewhere safe. */
  ack(): Promise<void>;
  /** Returns the message to the queue so that it is delivered again. */
  requeue(): Promise<void>;
}

/** How many unacknowledged deliveries a consumer may hold at once. */
export interface ConsumeOptions {
  readonly prefetch: number;
}

/** A running consumer on a queue. */
export interface ConsumerHandle {
  /** Stops new deliveries; deliveries already handed out can still be settled. */
  cancel(): Promise<void>;
}

/** Options for `send`. */
export interface SendOptions {
  /** Deliver no earlier than this many milliseconds from now (delayed redelivery). */
  readonly delayMs?: number;
  /**
   * The bus's own redelivery of a message back to the queue it came from: the transport records that
   * out of band (never in a header), delivers straight to that queue, and marks the delivery
   * `viaOwnRedelivery`.
   */
  readonly redelivery?: boolean;
}

/**
 * The connection state a transport reports to health checks. `blocked`: connected, but the broker
 * refuses to take messages for now (a resource alarm); publishes wait, bounded, then fail.
 */
export type TransportState = 'stopped' | 'connecting' | 'connected' | 'blocked' | 'reconnecting' | 'closed';

/** What a transport says of itself to `/health/ready`. */
export interface TransportHealth {
  readonly state: TransportState;
  readonly detail?: string;
}

/**
 * The port every transport implements: in-memory, RabbitMQ, PostgreSQL. Each operation resolves only
 * when the transport has taken responsibility for the message (a broker confirm, a committed row).
 * Topology follows MassTransit's model: a message sent to queue X goes through exchange X.
 */
export interface Transport {
  /** A short name for logs and addresses: `memory`, `rabbitmq`, `postgres`. */
  readonly name: string;
  start(): Promise<void>;
  /** Creates what the topology describes; idempotent. */
  deploy(topology: Topology): Promise<void>;
  /** Delivers to every queue bound, directly or through other exchanges, to `exchange`. */
  publish(exchange: string, message: TransportMessage): Promise<void>;
  /** Delivers to one endpoint's queue (through the exchange of the same name, where there is one). */
  send(queue: string, message: TransportMessage, options?: SendOptions): Promise<void>;
  /** Starts handing the queue's messages to `onDelivery`, at most `prefetch` unsettled at a time. */
  consume(
    queue: string,
    options: ConsumeOptions,
    onDelivery: (delivery: Delivery) => void,
  ): Promise<ConsumerHandle>;
  /**
   * The address of a queue or exchange as written in envelopes, e.g. `rabbitmq://host/vhost/orders`.
   * Worked out from configuration alone: the bus may ask before `start()`.
   */
  addressOf(entity: string): string;
  health(): TransportHealth;
  /** Cancels consumers and returns unsettled deliveries to their queues. */
  close(): Promise<void>;
}
