import {
  type ConsumeOptions,
  type ConsumerHandle,
  type Delivery,
  isResponseQueueName,
  mergeTopologies,
  type SendOptions,
  slotRouterName,
  type Topology,
  type Transport,
  type TransportHealth,
  type TransportMessage,
  type TransportState,
} from '@switchyard/bus';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import pino, { type Logger } from 'pino';
import { publishOptions } from './amqp-message.ts';
import { parseBrokerUrl } from './broker-url.ts';
import { type ConsumerOwner, RabbitMqConsumer } from './rabbitmq-consumer.ts';
import { BrokerUnavailableError, PublishRejectedError, PublishUnconfirmedError } from './rabbitmq-errors.ts';
import { delayQueueArguments, delayQueueName, redeliveryQueueName } from './topology/delay-queue.ts';
import { declareTopology, endpointQueueTopology } from './topology/topology-declarer.ts';

/** How the RabbitMQ transport connects and what it does when the connection drops. */
export interface RabbitMqTransportOptions {
  /** `amqp://user:password@host:5672/vhost`. */
  readonly url: string;
  /** Shown in the management UI's connection list. */
  readonly connectionName?: string;
  /** Backoff between reconnection attempts: doubles from `initialDelayMs` up to `maxDelayMs`, with jitter. */
  readonly reconnect?: { readonly initialDelayMs?: number; readonly maxDelayMs?: number };
  /**
   * How long publish, send and consume wait for a connection during an outage before failing (default
   * 30 s); also how long a publish waits while the broker blocks publishing (a memory or disk alarm) or
   * the connection's write buffer is full, before it fails with the broker's reason. Nothing was sent then.
   */
  readonly unavailableTimeoutMs?: number;
  /**
   * How long a publish waits for the broker's confirm once written, before it fails (default 15 s). A
   * publish that timed out may still reach its queue later, and its caller (the outbox) sends it again:
   * at most a duplicate, never a loss.
   */
  readonly confirmTimeoutMs?: number;
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
  /**
   * Publishes awaiting their confirm, by a token unique to each publish, oldest first: since every one
   * gets the same timeout, their deadlines are in this order too.
   */
  readonly #unconfirmed = new Map<string, UnconfirmedPublish>();
  #publishCount = 0;
  /** Fires at the oldest unconfirmed publish's deadline; one timer, not one per publish. */
  #confirmTimer: NodeJS.Timeout | undefined;
  /** Why the broker blocked publishing on the live connection (connection.blocked), while it does. */
  #blockedReason: string | undefined;
  /** The publishing channel whose write buffer is over its high-water mark, until it drains. */
  #saturated: ConfirmChannel | undefined;
  /** Publishes held while the broker blocks publishing or the write buffer drains; each wakes to look again. */
  readonly #held = new Set<() => void>();
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
      const delayQueue = options.redelivery
        ? redeliveryQueueName(queue, delayMs)
        : delayQueueName(queue, delayMs);
      return this.#ensureDelayQueue(delayQueue, queue, delayMs).then(() =>
        this.#confirmedPublish('', delayQueue, message, true),
      );
    }
    // Every message passes here, so the declared case stays free of extra awaits and allocations.
    if (this.#declaredQueues.has(queue)) return this.#confirmedPublish(queue, '', message, true);
    // A requester's response queue is its own, temporary, and declared by it alone: a responder that
    // declared it (durable, as an endpoint) would stop the requester from declaring it again after a
    // broker restart. Sent to as it is; if its requester is gone, the send fails and says so.
    if (isResponseQueueName(queue)) return this.#confirmedPublish(queue, '', message, true);
    return this.#ensureSendTarget(queue).then(() => this.#confirmedPublish(queue, '', message, true));
  }

  /**
   * Declares a send's queue with its exchange, as MassTransit declares a send endpoint, unless the
   * endpoint runs in slots (its slot router exists): its exchange then leads to the slots' queues, and
   * a queue of its name bound behind it would take, and strand, every message sent.
   */
  async #ensureSendTarget(queue: string): Promise<void> {
    const connection = await this.#connected(`send to "${queue}"`);
    const slotted = await withChannel(connection, (channel) =>
      channel.checkExchange(slotRouterName(queue)),
    ).then(
      () => true,
      () => false,
    );
    if (slotted) this.#declaredQueues.add(queue);
    else await this.deploy(endpointQueueTopology(queue));
  }

  async consume(
    queue: string,
    options: ConsumeOptions,
    onDelivery: (delivery: Delivery) => void,
  ): Promise<ConsumerHandle> {
    const connection = await this.#connected(`consume from "${queue}"`);
    await this.#ensureQueueToConsume(connection, queue);
    const queueType = this.#topology.queues.find((each) => each.name === queue)?.queueType;
    const consumer = new RabbitMqConsumer(
      queue,
      options.prefetch,
      onDelivery,
      this.#consumerOwner,
      queueType,
    );
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
    if (this.#state === 'connected' && this.#blockedReason !== undefined) {
      return { state: 'blocked', detail: `RabbitMQ blocked publishing: ${this.#blockedReason}` };
    }
    return this.#detail ? { state: this.#state, detail: this.#detail } : { state: this.#state };
  }

  async close(): Promise<void> {
    this.#closing = true;
    for (const endPause of this.#pauses) endPause();
    clearTimeout(this.#confirmTimer);
    this.#confirmTimer = undefined;
    for (const consumer of this.#consumers) await consumer.closeChannel();
    this.#consumers.clear();
    const connection = this.#connection;
    this.#connection = undefined;
    this.#publisher = undefined;
    await connection?.close().catch(() => {});
    this.#state = 'closed';
    this.#release();
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

  /**
   * Publishes and resolves only when the broker confirmed; a nack, a returned message or no confirm
   * within `confirmTimeoutMs` rejects. While the broker blocks publishing or the write buffer is full,
   * waits for that to end, up to `unavailableTimeoutMs` from `deadline` (set on the first wait).
   */
  #confirmedPublish(
    exchange: string,
    routingKey: string,
    message: TransportMessage,
    mandatory: boolean,
    deadline?: number,
  ): Promise<void> {
    const channel =
      this.#state === 'connected' && this.#blockedReason === undefined && this.#saturated === undefined
        ? this.#publisher
        : undefined;
    if (!channel) {
      const until = deadline ?? Date.now() + (this.#options.unavailableTimeoutMs ?? 30_000);
      return this.#publisherReady(`publish to "${exchange || routingKey}"`, until).then(() =>
        this.#confirmedPublish(exchange, routingKey, message, mandatory, until),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const target = () => (exchange ? `exchange "${exchange}"` : `queue "${routingKey}"`);
      const timeoutMs = this.#options.confirmTimeoutMs ?? 15_000;
      const token = `${++this.#publishCount}`;
      const pending: UnconfirmedPublish = {
        deadline: Date.now() + timeoutMs,
        returned: undefined,
        expire: () =>
          reject(
            new PublishUnconfirmedError(
              `The broker did not confirm message ${message.messageId} to ${target()} within ${timeoutMs}ms` +
                `${this.#blockedReason === undefined ? '' : ` (it blocked publishing: ${this.#blockedReason})`}; ` +
                'it may still arrive, so send it again: at worst it is delivered twice',
            ),
          ),
      };
      this.#unconfirmed.set(token, pending);
      if (!this.#confirmTimer) this.#armConfirmTimer();
      const options = publishOptions(message, mandatory);
      // The token comes back with a basic.return, matching it to this very publish whatever its message
      // id; app-id is a property the consuming side does not read, so the token stays out of the headers.
      options.appId = token;
      try {
        const writable = channel.publish(exchange, routingKey, asBuffer(message.body), options, (error) => {
          // Gone already: it timed out, and its caller was told.
          if (this.#unconfirmed.get(token) !== pending) return;
          this.#unconfirmed.delete(token);
          if (error)
            reject(
              new PublishRejectedError(
                `The broker did not confirm message ${message.messageId} to ${target()}: ${error}`,
              ),
            );
          // A basic.return precedes the basic.ack of the same publish on its channel, so it is in by now.
          else if (pending.returned) reject(pending.returned);
          else resolve();
        });
        if (!writable) this.#saturate(channel);
      } catch (error) {
        this.#unconfirmed.delete(token);
        reject(
          new BrokerUnavailableError(`Could not publish message ${message.messageId} to ${target()}`, {
            cause: error,
          }),
        );
      }
    });
  }

  /** Fails every publish whose confirm is overdue, then waits for the next one's deadline. */
  #armConfirmTimer(): void {
    this.#confirmTimer = undefined;
    const now = Date.now();
    for (const [token, pending] of this.#unconfirmed) {
      if (pending.deadline > now) {
        this.#confirmTimer = setTimeout(() => this.#armConfirmTimer(), pending.deadline - now);
        // Open publishes keep the connection, and so the process, alive; this timer need not.
        this.#confirmTimer.unref();
        return;
      }
      this.#unconfirmed.delete(token);
      pending.expire();
    }
  }

  /** Holds further publishes until `channel`'s write buffer drains: amqplib would buffer without limit. */
  #saturate(channel: ConfirmChannel): void {
    if (this.#saturated === channel) return;
    this.#saturated = channel;
    channel.once('drain', () => {
      if (this.#saturated !== channel) return;
      this.#saturated = undefined;
      this.#wakeHeld();
    });
  }

  /** Whatever held publishes is gone with the connection or channel: they look again. */
  #release(): void {
    this.#blockedReason = undefined;
    this.#saturated = undefined;
    this.#wakeHeld();
  }

  #wakeHeld(): void {
    for (const wake of [...this.#held]) wake();
  }

  /** Resolves once there is a publishing channel, waiting (bounded) through a reconnection or a reopening. */
  async #publisherReady(what: string, deadline: number): Promise<void> {
    if (this.#publisherReopening) await this.#publisherReopening;
    await this.#connected(what);
    // Connected with no publisher only between a channel's close and its reopening, a turn apart.
    if (!this.#publisher) await new Promise<void>((resolve) => setImmediate(resolve));
    await this.#writable(what, deadline);
  }

  /** Waits, until `deadline`, while the broker blocks publishing or the write buffer is full. */
  async #writable(what: string, deadline: number): Promise<void> {
    while (this.#state === 'connected' && (this.#blockedReason !== undefined || this.#saturated)) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        const waitedMs = this.#options.unavailableTimeoutMs ?? 30_000;
        throw new BrokerUnavailableError(
          this.#blockedReason !== undefined
            ? `Cannot ${what}: RabbitMQ has blocked publishing for ${waitedMs}ms (${this.#blockedReason}); nothing was sent. It unblocks once its memory or disk alarm clears; send it again then`
            : `Cannot ${what}: the connection's write buffer has not drained for ${waitedMs}ms; nothing was sent. The broker or the network is not keeping up; send it again later`,
        );
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#held.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, remaining);
        this.#held.add(wake);
      });
    }
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
    let blockedReason: string | undefined;
    connection.on('blocked', (reason: unknown) => {
      blockedReason = String(reason);
      if (this.#connection !== connection) return;
      this.#blockedReason = blockedReason;
      this.#logger.warn({ reason: blockedReason }, 'RabbitMQ blocked publishing; publishes wait');
    });
    connection.on('unblocked', () => {
      blockedReason = undefined;
      if (this.#connection !== connection) return;
      this.#logger.info('RabbitMQ unblocked publishing');
      this.#blockedReason = undefined;
      this.#wakeHeld();
    });
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
      this.#blockedReason = blockedReason;
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
      const { exchange, routingKey } = returned.fields;
      // The queue a send went to is gone (deleted, or a delay queue that expired): the next send to it
      // declares it again, as a first send does, instead of being returned until a reconnection.
      this.#declaredQueues.delete(exchange || routingKey);
      const pending = this.#unconfirmed.get(String(returned.properties.appId ?? ''));
      if (!pending) return; // its confirm timed out; its caller sends it again
      pending.returned = new PublishRejectedError(
        `Message ${String(returned.properties.messageId ?? '')} could not be routed to any queue (exchange "${exchange}", routing key "${routingKey}")`,
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
    if (this.#saturated === publisher) this.#saturated = undefined;
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
    this.#release();
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

/** A publish written and awaiting its confirm. */
interface UnconfirmedPublish {
  /** When it fails for want of a confirm (ms since the epoch). */
  readonly deadline: number;
  /** Set by a basic.return, which arrives before the confirm of the same publish. */
  returned: Error | undefined;
  /** Fails it: no confirm came in time. */
  readonly expire: () => void;
}

/** The body as a Buffer without copying it: codecs already produce Buffers, so this is usually free. */
function asBuffer(body: Uint8Array): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

function addressPrefixOf(amqpUrl: string): string {
  const url = parseBrokerUrl(amqpUrl);
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
