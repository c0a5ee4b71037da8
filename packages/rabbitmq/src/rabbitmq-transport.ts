import {
  type ConsumeOptions,
  type ConsumerHandle,
  type Delivery,
  mergeTopologies,
  type SendOptions,
  type Topology,
  type Transport,
  type TransportHealth,
  type TransportMessage,
  type TransportState,
} from '@switchyard/bus';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import pino, { type Logger } from 'pino';
import { fromDelivery, publishOptions } from './amqp-message.ts';
import { delayQueueArguments, delayQueueName } from './delay-queue.ts';
import { BrokerUnavailableError, PublishRejectedError } from './rabbitmq-errors.ts';
import { SettlementBatcher } from './settlement-batcher.ts';
import { declareTopology, endpointQueueTopology } from './topology-declarer.ts';

/** How the RabbitMQ transport connects and what it does when the connection drops. */
export interface RabbitMqTransportOptions {
  /** `amqp://user:password@host:5672/vhost`. */
  readonly url: string;
  /** Shown in the management UI's connection list. */
  readonly connectionName?: string;
  /** Backoff between reconnection attempts: doubles from `initialDelayMs` up to `maxDelayMs`, with jitter. */
  readonly reconnect?: { readonly initialDelayMs?: number; readonly maxDelayMs?: number };
  /** How long publish, send and consume wait for a connection during an outage before failing (default 30 s). */
  readonly unavailableTimeoutMs?: number;
  readonly logger?: Logger;
}

/**
 * The RabbitMQ transport: MassTransit's topology (fanout exchange per message type, exchange and queue
 * per endpoint), persistent messages, publisher confirms on every publish, manual acks, delayed
 * delivery through TTL queues, and reconnection that re-declares topology and resumes consumers.
 */
export class RabbitMqTransport implements Transport {
  readonly name = 'rabbitmq';
  readonly #options: RabbitMqTransportOptions;
  readonly #logger: Logger;
  #state: TransportState = 'stopped';
  #detail: string | undefined;
  #connection: ChannelModel | undefined;
  #publisher: ConfirmChannel | undefined;
  #topology: Topology = { exchanges: [], queues: [], bindings: [] };
  readonly #declared = new Set<string>();
  readonly #consumers = new Set<RabbitMqConsumer>();
  readonly #returned = new Map<string, (error: Error) => void>();
  #waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  #closing = false;
  /** `rabbitmq://host[:port]/[vhost/]`, worked out once: every message carries two addresses. */
  readonly #addressPrefix: string;

  constructor(options: RabbitMqTransportOptions) {
    this.#options = options;
    this.#addressPrefix = addressPrefixOf(options.url);
    this.#logger = options.logger ?? pino({ enabled: false });
  }

  async start(): Promise<void> {
    this.#closing = false;
    this.#state = 'connecting';
    await this.#connect();
  }

  async deploy(topology: Topology): Promise<void> {
    this.#topology = mergeTopologies(this.#topology, topology);
    const connection = await this.#connected('deploy topology');
    await declareTopology(connection, topology);
    this.#markDeclared(topology);
  }

  publish(exchange: string, message: TransportMessage): Promise<void> {
    // Not mandatory: a message type nobody subscribes to yet is not an error, as in MassTransit.
    if (this.#declared.has(`exchange:${exchange}`))
      return this.#confirmedPublish(exchange, '', message, false);
    return this.deploy({
      exchanges: [{ name: exchange, role: 'message-type', durable: true, autoDelete: false }],
      queues: [],
      bindings: [],
    }).then(() => this.#confirmedPublish(exchange, '', message, false));
  }

  send(queue: string, message: TransportMessage, options: SendOptions = {}): Promise<void> {
    const delayMs = options.delayMs ?? 0;
    if (delayMs > 0) {
      const delayQueue = delayQueueName(queue, delayMs);
      return this.#ensureDelayQueue(delayQueue, queue, delayMs).then(() =>
        this.#confirmedPublish('', delayQueue, message, true),
      );
    }
    // Every message passes here, so the declared case stays free of extra awaits and allocations.
    if (this.#declared.has(`queue:${queue}`)) return this.#confirmedPublish(queue, '', message, true);
    return this.deploy(endpointQueueTopology(queue)).then(() =>
      this.#confirmedPublish(queue, '', message, true),
    );
  }

  async consume(
    queue: string,
    options: ConsumeOptions,
    onDelivery: (delivery: Delivery) => void,
  ): Promise<ConsumerHandle> {
    const connection = await this.#connected(`consume from "${queue}"`);
    await this.#ensureQueueToConsume(connection, queue);
    const consumer = new RabbitMqConsumer(queue, options.prefetch, onDelivery, () =>
      this.#consumers.delete(consumer),
    );
    this.#consumers.add(consumer);
    await consumer.start(connection);
    return { cancel: () => consumer.cancel() };
  }

  addressOf(entity: string): string {
    return `${this.#addressPrefix}${entity}`;
  }

  health(): TransportHealth {
    return this.#detail ? { state: this.#state, detail: this.#detail } : { state: this.#state };
  }

  async close(): Promise<void> {
    this.#closing = true;
    for (const consumer of this.#consumers) await consumer.closeChannel();
    this.#consumers.clear();
    const connection = this.#connection;
    this.#connection = undefined;
    this.#publisher = undefined;
    await connection?.close().catch(() => {});
    this.#state = 'closed';
    for (const waiter of this.#waiters.splice(0))
      waiter.reject(new BrokerUnavailableError('The transport was closed'));
  }

  #markDeclared(topology: Topology): void {
    for (const exchange of topology.exchanges) this.#declared.add(`exchange:${exchange.name}`);
    for (const queue of topology.queues) this.#declared.add(`queue:${queue.name}`);
  }

  /**
   * A queue someone else declared (perhaps as a quorum queue) is used as it is; only a missing one is
   * declared, with its exchange, as a classic endpoint queue.
   */
  async #ensureQueueToConsume(connection: ChannelModel, queue: string): Promise<void> {
    if (this.#declared.has(`queue:${queue}`)) return;
    const exists = await withChannel(connection, (channel) => channel.checkQueue(queue)).then(
      () => true,
      () => false,
    );
    if (exists) this.#declared.add(`queue:${queue}`);
    else await this.deploy(endpointQueueTopology(queue));
  }

  async #ensureDelayQueue(delayQueue: string, queue: string, delayMs: number): Promise<void> {
    const key = `queue:${delayQueue}`;
    if (this.#declared.has(key)) return;
    const connection = await this.#connected(`declare delay queue "${delayQueue}"`);
    await withChannel(connection, (channel) =>
      channel.assertQueue(delayQueue, { durable: true, arguments: delayQueueArguments(queue, delayMs) }),
    );
    this.#declared.add(key);
  }

  /** Publishes and resolves only when the broker confirmed; a nack or a returned message rejects. */
  #confirmedPublish(
    exchange: string,
    routingKey: string,
    message: TransportMessage,
    mandatory: boolean,
  ): Promise<void> {
    const channel = this.#state === 'connected' ? this.#publisher : undefined;
    if (!channel) {
      return this.#connected(`publish to "${exchange || routingKey}"`).then(() =>
        this.#confirmedPublish(exchange, routingKey, message, mandatory),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const target = () => (exchange ? `exchange "${exchange}"` : `queue "${routingKey}"`);
      let returned: Error | undefined;
      if (mandatory) {
        this.#returned.set(message.messageId, (error) => {
          returned = error;
        });
      }
      try {
        channel.publish(
          exchange,
          routingKey,
          asBuffer(message.body),
          publishOptions(message, mandatory),
          (error) => {
            if (mandatory) this.#returned.delete(message.messageId);
            if (error)
              reject(
                new PublishRejectedError(
                  `The broker did not confirm message ${message.messageId} to ${target()}: ${error}`,
                ),
              );
            else if (returned) reject(returned);
            else resolve();
          },
        );
      } catch (error) {
        this.#returned.delete(message.messageId);
        reject(
          new BrokerUnavailableError(`Could not publish message ${message.messageId} to ${target()}`, {
            cause: error,
          }),
        );
      }
    });
  }

  /** The live connection, waiting (bounded) while the transport reconnects. */
  async #connected(what: string): Promise<ChannelModel> {
    if (this.#state === 'connected' && this.#connection) return this.#connection;
    if (this.#state === 'stopped' || this.#state === 'closed') {
      throw new BrokerUnavailableError(`Cannot ${what}: the RabbitMQ transport is ${this.#state}`);
    }
    const timeoutMs = this.#options.unavailableTimeoutMs ?? 30_000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((waiter) => waiter.resolve !== done);
        reject(
          new BrokerUnavailableError(
            `Cannot ${what}: RabbitMQ has been unreachable for ${timeoutMs}ms (${this.#detail ?? 'reconnecting'})`,
          ),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.push({
        resolve: done,
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
    if (!this.#connection) throw new BrokerUnavailableError(`Cannot ${what}: no connection`);
    return this.#connection;
  }

  async #connect(): Promise<void> {
    const connection = await amqp.connect(this.#options.url, {
      clientProperties: { connection_name: this.#options.connectionName ?? 'switchyard' },
    });
    try {
      const publisher = await connection.createConfirmChannel();
      publisher.on('return', (returned: ConsumeMessage) => {
        const id = String(returned.properties.messageId ?? '');
        this.#returned.get(id)?.(
          new PublishRejectedError(
            `Message ${id} could not be routed to any queue (exchange "${returned.fields.exchange}", routing key "${returned.fields.routingKey}")`,
          ),
        );
      });
      publisher.on('error', (error: Error) =>
        this.#logger.warn({ err: error }, 'RabbitMQ publish channel error'),
      );
      connection.on('error', (error: Error) => {
        this.#detail = error.message;
        this.#logger.warn({ err: error }, 'RabbitMQ connection error');
      });
      connection.on('close', () => this.#onConnectionLost(connection));
      // Everything declared before is declared again: a restarted broker may have lost non-durable entities.
      this.#declared.clear();
      await declareTopology(connection, this.#topology);
      this.#markDeclared(this.#topology);
      for (const consumer of this.#consumers) await consumer.start(connection);
      this.#connection = connection;
      this.#publisher = publisher;
      this.#state = 'connected';
      this.#detail = undefined;
      for (const waiter of this.#waiters.splice(0)) waiter.resolve();
    } catch (error) {
      await connection.close().catch(() => {});
      throw error;
    }
  }

  #onConnectionLost(lost: ChannelModel): void {
    if (this.#closing || this.#connection !== lost) return;
    this.#connection = undefined;
    this.#publisher = undefined;
    this.#state = 'reconnecting';
    this.#logger.warn({ detail: this.#detail }, 'RabbitMQ connection lost; reconnecting');
    void this.#reconnect();
  }

  async #reconnect(): Promise<void> {
    const initial = this.#options.reconnect?.initialDelayMs ?? 200;
    const max = this.#options.reconnect?.maxDelayMs ?? 10_000;
    for (let attempt = 0; !this.#closing; attempt++) {
      const base = Math.min(max, initial * 2 ** attempt);
      await new Promise((resolve) => setTimeout(resolve, base * (0.5 + Math.random())));
      if (this.#closing) return;
      try {
        await this.#connect();
        this.#logger.info({ attempt: attempt + 1 }, 'RabbitMQ connection restored');
        return;
      } catch (error) {
        this.#detail = (error as Error).message;
        this.#logger.warn({ err: error, attempt: attempt + 1 }, 'RabbitMQ reconnection attempt failed');
      }
    }
  }
}

/** One consumer: its own channel (so prefetch is per consumer), restarted on a new connection. */
class RabbitMqConsumer {
  readonly #queue: string;
  readonly #prefetch: number;
  readonly #onDelivery: (delivery: Delivery) => void;
  readonly #forget: () => void;
  #channel: Channel | undefined;
  #settlements: SettlementBatcher | undefined;
  #tag: string | undefined;
  #cancelled = false;

  constructor(queue: string, prefetch: number, onDelivery: (delivery: Delivery) => void, forget: () => void) {
    this.#queue = queue;
    this.#prefetch = prefetch;
    this.#onDelivery = onDelivery;
    this.#forget = forget;
  }

  async start(connection: ChannelModel): Promise<void> {
    if (this.#cancelled) return;
    const channel = await connection.createChannel();
    channel.on('error', () => {}); // the connection's close handler reconnects; nothing to do per channel
    await channel.prefetch(this.#prefetch);
    const settlements = new SettlementBatcher(channel, () => {
      // The last settlement after a cancel closes the channel, unless closing is what flushed it.
      if (this.#cancelled && this.#settlements === settlements && settlements.unsettled === 0) {
        void this.closeChannel();
      }
    });
    this.#channel = channel;
    this.#settlements = settlements;
    const reply = await channel.consume(this.#queue, (message) => {
      if (message) this.#deliver(channel, settlements, message);
    });
    this.#tag = reply.consumerTag;
  }

  #deliver(channel: Channel, settlements: SettlementBatcher, message: ConsumeMessage): void {
    settlements.delivered(message);
    let settled = false;
    const settle = async (outcome: 'ack' | 'requeue') => {
      if (settled) throw new Error(`Delivery of message ${message.properties.messageId} was already settled`);
      settled = true;
      // On a channel that has since closed, the broker has already put the message back.
      if (channel !== this.#channel) return;
      settlements.settle(message, outcome);
    };
    this.#onDelivery({
      queue: this.#queue,
      message: fromDelivery(message),
      redelivered: message.fields.redelivered,
      ack: () => settle('ack'),
      requeue: () => settle('requeue'),
    });
  }

  async cancel(): Promise<void> {
    this.#cancelled = true;
    const channel = this.#channel;
    if (channel && this.#tag) await channel.cancel(this.#tag).catch(() => {});
    if ((this.#settlements?.unsettled ?? 0) === 0) await this.closeChannel();
    this.#forget();
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

/** The body as a Buffer without copying it: codecs already produce Buffers, so this is usually free. */
function asBuffer(body: Uint8Array): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

function addressPrefixOf(amqpUrl: string): string {
  const url = new URL(amqpUrl);
  const vhost = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const host = url.port && url.port !== '5672' ? `${url.hostname}:${url.port}` : url.hostname;
  return vhost && vhost !== '/' ? `rabbitmq://${host}/${encodeURIComponent(vhost)}/` : `rabbitmq://${host}/`;
}

async function withChannel<T>(connection: ChannelModel, work: (channel: Channel) => Promise<T>): Promise<T> {
  const channel = await connection.createChannel();
  channel.on('error', () => {});
  try {
    return await work(channel);
  } finally {
    await channel.close().catch(() => {});
  }
}
