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
import { publishOptions } from './amqp-message.ts';
import { delayQueueArguments, delayQueueName } from './delay-queue.ts';
import { type ConsumerOwner, RabbitMqConsumer } from './rabbitmq-consumer.ts';
import { BrokerUnavailableError, PublishRejectedError } from './rabbitmq-errors.ts';
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
  /**
   * How long one connection attempt may take, TCP and AMQP handshake together, before it is given up
   * and tried again (default 10 s): a broker that accepts the socket but never answers must not stall
   * the reconnection for good.
   */
  readonly connectTimeoutMs?: number;
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
  /** Set while a publishing channel the broker closed is being replaced on the same connection. */
  #publisherReopening: Promise<void> | undefined;
  #topology: Topology = { exchanges: [], queues: [], bindings: [] };
  // Two sets rather than one of prefixed names: every send asks, and a prefixed name is a new string each time.
  readonly #declaredQueues = new Set<string>();
  readonly #declaredExchanges = new Set<string>();
  readonly #consumers = new Set<RabbitMqConsumer>();
  /** Consumers being started again on the live connection after the broker closed or cancelled them. */
  readonly #resuming = new Set<RabbitMqConsumer>();
  readonly #consumerOwner: ConsumerOwner = {
    forget: (consumer) => this.#consumers.delete(consumer),
    lost: (consumer, connection) => void this.#resumeConsumer(consumer, connection),
  };
  readonly #returned = new Map<string, (error: Error) => void>();
  #waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  #closing = false;
  /** Backoff waits under way, which closing cuts short: a pending timer would keep the process alive. */
  readonly #pauses = new Set<() => void>();
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
    if (this.#declaredExchanges.has(exchange)) return this.#confirmedPublish(exchange, '', message, false);
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
    if (this.#declaredQueues.has(queue)) return this.#confirmedPublish(queue, '', message, true);
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
    const consumer = new RabbitMqConsumer(queue, options.prefetch, onDelivery, this.#consumerOwner);
    this.#consumers.add(consumer);
    try {
      await consumer.start(connection);
    } catch (error) {
      // The caller learns it failed, so nothing may go on trying to start it behind its back.
      await consumer.cancel();
      throw error;
    }
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
    for (const endPause of this.#pauses) endPause();
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
    for (const exchange of topology.exchanges) this.#declaredExchanges.add(exchange.name);
    for (const queue of topology.queues) this.#declaredQueues.add(queue.name);
  }

  /**
   * A queue someone else declared (perhaps as a quorum queue) is used as it is; only a missing one is
   * declared, with its exchange, as a classic endpoint queue.
   */
  async #ensureQueueToConsume(connection: ChannelModel, queue: string): Promise<void> {
    if (this.#declaredQueues.has(queue)) return;
    const exists = await withChannel(connection, (channel) => channel.checkQueue(queue)).then(
      () => true,
      () => false,
    );
    if (exists) this.#declaredQueues.add(queue);
    else await this.deploy(endpointQueueTopology(queue));
  }

  async #ensureDelayQueue(delayQueue: string, queue: string, delayMs: number): Promise<void> {
    if (this.#declaredQueues.has(delayQueue)) return;
    const connection = await this.#connected(`declare delay queue "${delayQueue}"`);
    await withChannel(connection, (channel) =>
      channel.assertQueue(delayQueue, { durable: true, arguments: delayQueueArguments(queue, delayMs) }),
    );
    this.#declaredQueues.add(delayQueue);
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
      return this.#publisherReady(`publish to "${exchange || routingKey}"`).then(() =>
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

  /** Resolves once there is a publishing channel, waiting (bounded) through a reconnection or a reopening. */
  async #publisherReady(what: string): Promise<void> {
    if (this.#publisherReopening) await this.#publisherReopening;
    await this.#connected(what);
    // Connected with no publisher only between a channel's close and its reopening, a turn apart.
    if (!this.#publisher) await new Promise<void>((resolve) => setImmediate(resolve));
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
      timeout: this.#options.connectTimeoutMs ?? 10_000,
    });
    // Listening before anything is awaited: the link can drop in the very next moment, and an 'error'
    // event nobody listens to ends the process.
    let lost = false;
    connection.on('error', (error: Error) => {
      this.#detail = error.message;
      this.#logger.warn({ err: error }, 'RabbitMQ connection error');
    });
    connection.on('close', () => {
      lost = true;
      this.#onConnectionLost(connection);
    });
    try {
      const publisher = await this.#openPublisher(connection);
      // Everything declared before is declared again: a restarted broker may have lost non-durable entities.
      this.#declaredQueues.clear();
      this.#declaredExchanges.clear();
      await declareTopology(connection, this.#topology);
      this.#markDeclared(this.#topology);
      for (const consumer of this.#consumers) await consumer.start(connection);
      if (lost) throw new BrokerUnavailableError('The connection closed while it was being set up');
      // Closed while this attempt was under way: a connection kept now would outlive the transport.
      if (this.#closing) throw new BrokerUnavailableError('The transport was closed while it connected');
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

  async #openPublisher(connection: ChannelModel): Promise<ConfirmChannel> {
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
    publisher.on('close', () => this.#onPublisherClosed(connection, publisher));
    return publisher;
  }

  /**
   * The broker closes a channel on a protocol error, such as a publish to an exchange someone deleted;
   * the connection lives on. A new publishing channel replaces it, and everything is declared again on
   * its next use, since what made the broker close it may be something missing.
   */
  #onPublisherClosed(connection: ChannelModel, publisher: ConfirmChannel): void {
    if (this.#closing || this.#publisher !== publisher) return;
    this.#publisher = undefined;
    this.#publisherReopening = new Promise<void>((resolve) => setImmediate(resolve))
      .then(async () => {
        // A connection going down closes its channels first; then the reconnection opens a new one.
        if (this.#closing || this.#connection !== connection) return;
        this.#declaredQueues.clear();
        this.#declaredExchanges.clear();
        try {
          const reopened = await this.#openPublisher(connection);
          if (this.#connection === connection) this.#publisher = reopened;
          this.#logger.warn('RabbitMQ closed the publishing channel; a new one replaced it');
        } catch (error) {
          this.#detail = (error as Error).message;
          this.#logger.warn({ err: error }, 'Could not open a new publishing channel; reconnecting');
          this.#onConnectionLost(connection);
          await connection.close().catch(() => {});
        }
      })
      .finally(() => {
        this.#publisherReopening = undefined;
      });
  }

  /**
   * Starts again, on the same connection, a consumer whose channel the broker closed or whose queue was
   * deleted: its queue is declared again if missing. Backs off like a reconnection; stops trying once
   * that connection is gone, as the reconnection starts every consumer anyway.
   */
  async #resumeConsumer(consumer: RabbitMqConsumer, connection: ChannelModel): Promise<void> {
    if (this.#resuming.has(consumer)) return;
    this.#resuming.add(consumer);
    try {
      for (let attempt = 0; ; attempt++) {
        await this.#backoff(attempt);
        if (this.#closing || consumer.cancelled || this.#connection !== connection) return;
        try {
          this.#declaredQueues.delete(consumer.queue);
          await this.#ensureQueueToConsume(connection, consumer.queue);
          await consumer.start(connection);
          this.#logger.warn(
            { queue: consumer.queue, attempt: attempt + 1 },
            'RabbitMQ closed a consumer channel or cancelled the consumer; consuming again',
          );
          return;
        } catch (error) {
          this.#logger.warn(
            { err: error, queue: consumer.queue, attempt: attempt + 1 },
            'Could not consume again yet',
          );
        }
      }
    } finally {
      this.#resuming.delete(consumer);
    }
  }

  /**
   * Waits before attempt `attempt` (from 0): doubling from `initialDelayMs` up to `maxDelayMs`, with
   * jitter, and cut short if the transport is closed meanwhile.
   */
  #backoff(attempt: number): Promise<void> {
    const initial = this.#options.reconnect?.initialDelayMs ?? 200;
    const max = this.#options.reconnect?.maxDelayMs ?? 10_000;
    const base = Math.min(max, initial * 2 ** attempt);
    return this.#pause(base * (0.5 + Math.random()));
  }

  /** Waits `ms`, or less if the transport is closed meanwhile. */
  #pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.#pauses.delete(end);
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.#pauses.add(end);
    });
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
    for (let attempt = 0; !this.#closing; attempt++) {
      await this.#backoff(attempt);
      if (this.#closing) return;
      try {
        await this.#connect();
        this.#logger.info({ attempt: attempt + 1 }, 'RabbitMQ connection restored');
        return;
      } catch (error) {
        if (this.#closing) return;
        this.#detail = (error as Error).message;
        this.#logger.warn({ err: error, attempt: attempt + 1 }, 'RabbitMQ reconnection attempt failed');
      }
    }
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
