import type { Delivery, TransportMessage } from '@switchyard/bus';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { fromDelivery } from './amqp-message.ts';
import { SettlementBatcher } from './settlement-batcher.ts';

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
  readonly #prefetch: number;
  readonly #onDelivery: (delivery: Delivery) => void;
  readonly #owner: ConsumerOwner;
  #channel: Channel | undefined;
  #settlements: SettlementBatcher | undefined;
  #tag: string | undefined;
  #cancelled = false;

  constructor(
    queue: string,
    prefetch: number,
    onDelivery: (delivery: Delivery) => void,
    owner: ConsumerOwner,
  ) {
    this.queue = queue;
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
    this.#settlements = settlements;
    const reply = await channel.consume(this.queue, (message) => {
      if (message) this.#deliver(channel, settlements, message);
      else this.#cancelledByBroker(channel);
    });
    this.#tag = reply.consumerTag;
  }

  #deliver(channel: Channel, settlements: SettlementBatcher, message: ConsumeMessage): void {
    settlements.delivered(message);
    this.#onDelivery(new RabbitMqDelivery(this.queue, message, channel, settlements, this));
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
    this.#channel = undefined;
    this.#settlements = undefined;
    settlements?.flush();
    await channel?.close().catch(() => {});
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
  ) {
    this.queue = queue;
    this.message = fromDelivery(received);
    this.redelivered = received.fields.redelivered;
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
