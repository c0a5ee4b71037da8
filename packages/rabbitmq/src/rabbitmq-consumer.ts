import {
  type Delivery,
  type QueueType,
  redeliveryStateHeaders,
  type TransportMessage,
  transportHeaders,
} from '@switchyard/bus';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import { fromDelivery } from './amqp-message.ts';
import { SettlementBatcher } from './settlement-batcher.ts';
import {
  cameThroughRedeliveryPath,
  delayQueueArguments,
  redeliveryQueueName,
} from './topology/delay-queue.ts';

/** How long the counted copy of a classic-queue redelivery waits: well past the original's ack. */
const countingDelayMs = 250;

/** What a consumer asks of the transport that owns it. */
export interface ConsumerOwner {
  /** The consumer was cancelled by its endpoint and is no longer the transport's to restart. */
  forget(consumer: RabbitMqConsumer): void;
  /**
   * The broker closed the consumer's channel, or cancelled it (its queue was deleted), while `connection`
   * may still be up: the owner starts it again, or leaves that to the reconnection if the connection fell.
   */
  lost(consumer: RabbitMqConsumer, connection: ChannelModel): void;
}

/** One consumer: its own channel (so prefetch is per consumer), restarted on a new connection. */
export class RabbitMqConsumer {
  readonly queue: string;
  /** Known when this transport declared the queue: only a quorum queue's broker keeps a delivery count. */
  readonly queueType: QueueType | undefined;
  readonly #prefetch: number;
  readonly #onDelivery: (delivery: Delivery) => void;
  readonly #owner: ConsumerOwner;
  #channel: Channel | undefined;
  #connection: ChannelModel | undefined;
  /** Publishes the count-carrying copies of classic-queue redeliveries; opened on first need. */
  #countingChannel: Promise<ConfirmChannel> | undefined;
  #settlements: SettlementBatcher | undefined;
  #tag: string | undefined;
  #cancelled = false;

  constructor(
    queue: string,
    prefetch: number,
    onDelivery: (delivery: Delivery) => void,
    owner: ConsumerOwner,
    queueType?: QueueType,
  ) {
    this.queue = queue;
    this.queueType = queueType;
    this.#prefetch = prefetch;
    this.#onDelivery = onDelivery;
    this.#owner = owner;
  }

  get cancelled(): boolean {
    return this.#cancelled;
  }

  async start(connection: ChannelModel): Promise<void> {
    if (this.#cancelled) return;
    const channel = await connection.createChannel();
    channel.on('error', () => {}); // 'close' follows every channel error, and is where it is handled
    channel.on('close', () => this.#channelClosed(channel, connection));
    await channel.prefetch(this.#prefetch);
    const settlements = new SettlementBatcher(channel, () => {
      // The last settlement after a cancel closes the channel, unless closing is what flushed it.
      if (this.#cancelled && this.#settlements === settlements && settlements.unsettled === 0) {
        void this.closeChannel();
      }
    });
    this.#channel = channel;
    this.#connection = connection;
    this.#settlements = settlements;
    const reply = await channel.consume(this.queue, (message) => {
      if (message) this.#deliver(channel, settlements, message);
      else this.#cancelledByBroker(channel);
    });
    this.#tag = reply.consumerTag;
  }

  #deliver(channel: Channel, settlements: SettlementBatcher, message: ConsumeMessage): void {
    settlements.delivered(message);
    if (message.fields.redelivered && this.queueType !== 'quorum') {
      void this.#countRedelivery(channel, settlements, message);
      return;
    }
    this.#onDelivery(new RabbitMqDelivery(this.queue, message, channel, settlements, this));
  }

  /**
   * A classic queue keeps no delivery count, and a count kept in this process dies with it, which is
   * just when it matters. So a redelivered message is put back through the endpoint's own redelivery
   * path (`<queue>_redelivery_250`) carrying the count, then acknowledged at once: the copy comes back
   * with a broker-written `x-death` that vouches for the count. The copy waits long enough for the ack
   * to reach the broker first, or a copy that kills the process at once would take the unsent ack
   * with it and leave the original to start counting again (seen in 1 run of 6 with a 1 ms wait). A
   * crash from elsewhere between the confirm and the ack still leaves both (one duplicate, never a
   * loss); if the copy cannot be made, the delivery is handled uncounted rather than not at all.
   */
  async #countRedelivery(
    channel: Channel,
    settlements: SettlementBatcher,
    message: ConsumeMessage,
  ): Promise<void> {
    try {
      const publisher = await this.#openCountingChannel();
      const raw = message.properties.headers ?? {};
      const counted = cameThroughRedeliveryPath(this.queue, raw);
      const headers: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(raw)) {
        // Redelivery state nobody vouched for must not come back looking vouched for.
        if (!counted && redeliveryStateHeaders.includes(name)) continue;
        headers[name] = value;
      }
      headers[transportHeaders.unsettledDeliveries] = unsettledOf(raw, counted) + 1;
      await new Promise<void>((resolve, reject) => {
        publisher.publish(
          '',
          redeliveryQueueName(this.queue, countingDelayMs),
          message.content,
          copiedProperties(message, headers),
          (error) => (error ? reject(error) : resolve()),
        );
      });
      if (this.isCurrent(channel)) {
        settlements.settle(message, 'ack');
        settlements.flush();
      }
    } catch {
      if (this.isCurrent(channel)) {
        this.#onDelivery(new RabbitMqDelivery(this.queue, message, channel, settlements, this, false));
      }
    }
  }

  #openCountingChannel(): Promise<ConfirmChannel> {
    const connection = this.#connection;
    if (!connection) return Promise.reject(new Error('The consumer has no connection'));
    this.#countingChannel ??= (async () => {
      const channel = await connection.createConfirmChannel();
      channel.on('error', () => {});
      channel.on('close', () => {
        this.#countingChannel = undefined;
      });
      await channel.assertQueue(redeliveryQueueName(this.queue, countingDelayMs), {
        durable: true,
        arguments: delayQueueArguments(this.queue, countingDelayMs),
      });
      return channel;
    })().catch((error: unknown) => {
      this.#countingChannel = undefined;
      throw error;
    });
    return this.#countingChannel;
  }

  /** Whether `channel` is still this consumer's: settling on a closed one is neither possible nor needed. */
  isCurrent(channel: Channel): boolean {
    return channel === this.#channel;
  }

  #channelClosed(channel: Channel, connection: ChannelModel): void {
    if (this.#cancelled || channel !== this.#channel) return;
    // The broker has put every unacknowledged delivery of the channel back in the queue.
    this.#channel = undefined;
    this.#settlements = undefined;
    this.#owner.lost(this, connection);
  }

  /** A consumer the broker cancelled receives nothing more: closing its channel makes it one to restart. */
  #cancelledByBroker(channel: Channel): void {
    if (this.#cancelled || channel !== this.#channel) return;
    void channel.close().catch(() => {});
  }

  async cancel(): Promise<void> {
    this.#cancelled = true;
    const channel = this.#channel;
    if (channel && this.#tag) await channel.cancel(this.#tag).catch(() => {});
    if ((this.#settlements?.unsettled ?? 0) === 0) await this.closeChannel();
    this.#owner.forget(this);
  }

  /** Closing the channel returns every unsettled delivery to its queue; settled ones are sent first. */
  async closeChannel(): Promise<void> {
    const channel = this.#channel;
    const settlements = this.#settlements;
    const counting = this.#countingChannel;
    this.#channel = undefined;
    this.#settlements = undefined;
    this.#countingChannel = undefined;
    settlements?.flush();
    await channel?.close().catch(() => {});
    await counting?.then((each) => each.close()).catch(() => {});
  }
}

const settledVoid: Promise<void> = Promise.resolve();

/**
 * One delivery from a consumer's channel. A class, not an object of closures, since every message
 * gets one; settling records the outcome with the channel's batcher, which sends it this turn.
 */
class RabbitMqDelivery implements Delivery {
  readonly queue: string;
  readonly message: TransportMessage;
  readonly redelivered: boolean;
  readonly viaOwnRedelivery: boolean;
  readonly deliveryCount: number | undefined;
  readonly #received: ConsumeMessage;
  readonly #channel: Channel;
  readonly #settlements: SettlementBatcher;
  readonly #consumer: RabbitMqConsumer;
  #settled = false;

  constructor(
    queue: string,
    received: ConsumeMessage,
    channel: Channel,
    settlements: SettlementBatcher,
    consumer: RabbitMqConsumer,
    counted = true,
  ) {
    this.queue = queue;
    this.message = fromDelivery(received);
    this.viaOwnRedelivery = cameThroughRedeliveryPath(queue, received.properties.headers);
    this.deliveryCount = counted ? deliveryCountOf(queue, received, consumer.queueType) : undefined;
    // A classic-queue redelivery arrives as its counted copy, which the broker sees as a first delivery.
    this.redelivered = received.fields.redelivered || (this.deliveryCount ?? 1) > 1;
    this.#received = received;
    this.#channel = channel;
    this.#settlements = settlements;
    this.#consumer = consumer;
  }

  ack(): Promise<void> {
    return this.#settle('ack');
  }

  requeue(): Promise<void> {
    return this.#settle('requeue');
  }

  #settle(outcome: 'ack' | 'requeue'): Promise<void> {
    if (this.#settled) {
      return Promise.reject(
        new Error(`Delivery of message ${this.#received.properties.messageId} was already settled`),
      );
    }
    this.#settled = true;
    // On a channel that has since closed, the broker has already put the message back.
    if (this.#consumer.isCurrent(this.#channel)) this.#settlements.settle(this.#received, outcome);
    return settledVoid;
  }
}

/**
 * Deliveries so far, this one included. A first delivery is 1 whatever its headers say. A quorum queue's
 * broker writes `x-delivery-count` over any a producer set (checked on RabbitMQ 3.10), and counts every
 * return, requeues included; a classic queue keeps no count, so a redelivery there is uncounted.
 */
function deliveryCountOf(
  queue: string,
  received: ConsumeMessage,
  queueType: QueueType | undefined,
): number | undefined {
  const headers = received.properties.headers;
  if (queueType === 'quorum') {
    if (!received.fields.redelivered) return 1;
    const count = headers?.['x-delivery-count'];
    return typeof count === 'number' && Number.isInteger(count) && count >= 0 ? count + 1 : undefined;
  }
  // On a classic queue a redelivery never gets here: it was put back through the redelivery path.
  return unsettledOf(headers ?? {}, cameThroughRedeliveryPath(queue, headers)) + 1;
}

/** The unsettled deliveries a classic-queue message carries, when its redelivery path vouches for them. */
function unsettledOf(headers: Record<string, unknown>, vouched: boolean): number {
  const value = headers[transportHeaders.unsettledDeliveries];
  return vouched && typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0;
}

/** The properties of a delivery for its copy (not `userId`, which the broker checks against the publisher). */
function copiedProperties(message: ConsumeMessage, headers: Record<string, unknown>): Options.Publish {
  const { properties } = message;
  const options: Options.Publish = { persistent: true, headers };
  if (properties.messageId !== undefined) options.messageId = properties.messageId;
  if (properties.contentType !== undefined) options.contentType = properties.contentType;
  if (properties.contentEncoding !== undefined) options.contentEncoding = properties.contentEncoding;
  if (properties.correlationId !== undefined) options.correlationId = properties.correlationId;
  if (properties.type !== undefined) options.type = properties.type;
  if (properties.timestamp !== undefined) options.timestamp = properties.timestamp;
  if (properties.appId !== undefined) options.appId = properties.appId;
  if (properties.replyTo !== undefined) options.replyTo = properties.replyTo;
  if (properties.priority !== undefined) options.priority = properties.priority;
  return options;
}
