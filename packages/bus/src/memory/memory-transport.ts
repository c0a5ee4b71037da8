import { ConfigurationError } from '../errors.ts';
import type { Topology } from '../topology/topology.ts';
import type {
  ConsumeOptions,
  ConsumerHandle,
  Delivery,
  SendOptions,
  Transport,
  TransportHealth,
  TransportMessage,
  TransportState,
} from '../transport/transport.ts';
import {
  defaultExchange,
  defaultQueue,
  MemoryBroker,
  type QueueConsumer,
  type QueuedMessage,
} from './memory-broker.ts';

/**
 * The in-memory transport: for unit tests and the test harness. Several transports on one
 * `MemoryBroker` behave like several processes on one RabbitMQ.
 */
export class MemoryTransport implements Transport {
  readonly name = 'memory';
  readonly broker: MemoryBroker;
  #state: TransportState = 'stopped';
  readonly #consumers = new Set<MemoryConsumer>();
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(broker: MemoryBroker = new MemoryBroker()) {
    this.broker = broker;
  }

  async start(): Promise<void> {
    this.#state = 'connected';
  }

  async deploy(topology: Topology): Promise<void> {
    this.#assertOpen('deploy');
    this.broker.deploy(topology);
  }

  async publish(exchange: string, message: TransportMessage): Promise<void> {
    this.#assertOpen('publish');
    this.broker.ensureExchange(defaultExchange(exchange));
    this.broker.route(exchange, message);
  }

  async send(queue: string, message: TransportMessage, options: SendOptions = {}): Promise<void> {
    this.#assertOpen('send');
    const deliver = options.redelivery
      ? // Back to this queue alone, as RabbitMQ's delay queues dead-letter straight to it.
        () =>
          this.broker
            .ensureQueue(defaultQueue(queue))
            .enqueue({ message, redelivered: false, redeliveryFor: queue })
      : () => {
          if (this.broker.hasExchange(queue) && this.broker.route(queue, message) > 0) return;
          this.broker.ensureQueue(defaultQueue(queue)).enqueue({ message, redelivered: false });
        };
    const delayMs = options.delayMs ?? 0;
    if (delayMs <= 0) {
      deliver();
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      deliver();
    }, delayMs);
    this.#timers.add(timer);
  }

  async consume(
    queue: string,
    options: ConsumeOptions,
    onDelivery: (delivery: Delivery) => void,
  ): Promise<ConsumerHandle> {
    this.#assertOpen('consume');
    if (!Number.isInteger(options.prefetch) || options.prefetch < 1) {
      throw new ConfigurationError(
        `prefetch for queue "${queue}" must be a positive integer, got ${options.prefetch}`,
      );
    }
    const memoryQueue = this.broker.ensureQueue(defaultQueue(queue));
    const consumer = new MemoryConsumer(this.broker, queue, options.prefetch, onDelivery);
    this.#consumers.add(consumer);
    memoryQueue.addConsumer(consumer);
    return {
      cancel: async () => {
        consumer.cancel();
        this.#consumers.delete(consumer);
      },
    };
  }

  addressOf(entity: string): string {
    return `loopback://localhost/${entity}`;
  }

  health(): TransportHealth {
    return { state: this.#state };
  }

  async close(): Promise<void> {
    for (const consumer of this.#consumers) consumer.closeChannel();
    this.#consumers.clear();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#state = 'closed';
  }

  #assertOpen(operation: string): void {
    if (this.#state !== 'connected') {
      throw new ConfigurationError(
        `Cannot ${operation}: the memory transport is ${this.#state}; call start() first`,
      );
    }
  }
}

/** One consumer's view of a queue, tracking what it holds so that closing returns it. */
class MemoryConsumer implements QueueConsumer {
  readonly prefetch: number;
  inFlight = 0;
  readonly #broker: MemoryBroker;
  readonly #queue: string;
  readonly #onDelivery: (delivery: Delivery) => void;
  readonly #unsettled = new Set<QueuedMessage>();

  constructor(
    broker: MemoryBroker,
    queue: string,
    prefetch: number,
    onDelivery: (delivery: Delivery) => void,
  ) {
    this.#broker = broker;
    this.#queue = queue;
    this.prefetch = prefetch;
    this.#onDelivery = onDelivery;
  }

  offer(entry: QueuedMessage): void {
    this.#unsettled.add(entry);
    let settled = false;
    const settle = (requeue: boolean) => {
      if (settled) throw new Error(`Delivery of message ${entry.message.messageId} was already settled`);
      settled = true;
      if (!this.#unsettled.delete(entry)) return; // returned to the queue when the channel closed
      this.inFlight -= 1;
      const queue = this.#broker.queue(this.#queue);
      if (requeue) queue?.enqueue({ ...entry, redelivered: true }, true);
      else queue?.scheduleDispatch();
    };
    this.#onDelivery({
      queue: this.#queue,
      message: entry.message,
      redelivered: entry.redelivered,
      viaOwnRedelivery: entry.redeliveryFor === this.#queue,
      deliveryCount: (entry.unsettled ?? 0) + 1,
      ack: async () => settle(false),
      requeue: async () => settle(true),
    });
  }

  cancel(): void {
    const queue = this.#broker.queue(this.#queue);
    queue?.removeConsumer(this);
    if (queue?.spec.autoDelete && queue.consumerCount === 0) this.#broker.deleteQueue(this.#queue);
  }

  /** Like a closed AMQP channel: unsettled deliveries go back to the front of the queue. */
  closeChannel(): void {
    this.cancel();
    const queue = this.#broker.queue(this.#queue);
    const returned = [...this.#unsettled].reverse();
    this.#unsettled.clear();
    this.inFlight = 0;
    for (const entry of returned) {
      queue?.enqueue({ ...entry, redelivered: true, unsettled: (entry.unsettled ?? 0) + 1 }, true);
    }
  }
}
