import type { ExchangeSpec, QueueSpec, Topology } from '../topology/topology.ts';
import type { TransportMessage } from '../transport/transport.ts';

/** A message waiting in a queue, with whether it was handed out before. */
export interface QueuedMessage {
  readonly message: TransportMessage;
  readonly redelivered: boolean;
  /** The queue whose own redelivery path sent it here; kept beside the message, where no producer writes. */
  readonly redeliveryFor?: string | undefined;
  /** Deliveries a consumer went away holding without settling: the count behind the delivery limit. */
  readonly unsettled?: number | undefined;
}

/** Someone taking messages from a queue; `offer` hands one over and the consumer settles it later. */
export interface QueueConsumer {
  readonly prefetch: number;
  inFlight: number;
  offer(entry: QueuedMessage): void;
}

/** A queue held in memory: first in, first out, with messages returned by `requeue` going to the front. */
export class MemoryQueue {
  readonly spec: QueueSpec;
  readonly #messages: QueuedMessage[] = [];
  readonly #consumers: QueueConsumer[] = [];
  #next = 0;
  #dispatchScheduled = false;

  constructor(spec: QueueSpec) {
    this.spec = spec;
  }

  get depth(): number {
    return this.#messages.length;
  }

  get consumerCount(): number {
    return this.#consumers.length;
  }

  enqueue(entry: QueuedMessage, front = false): void {
    if (front) this.#messages.unshift(entry);
    else this.#messages.push(entry);
    this.scheduleDispatch();
  }

  addConsumer(consumer: QueueConsumer): void {
    this.#consumers.push(consumer);
    this.scheduleDispatch();
  }

  removeConsumer(consumer: QueueConsumer): void {
    const index = this.#consumers.indexOf(consumer);
    if (index >= 0) this.#consumers.splice(index, 1);
  }

  /** Messages currently waiting (not handed out), oldest first; for tests and tooling. */
  peek(): readonly QueuedMessage[] {
    return [...this.#messages];
  }

  /** Removes every waiting message and returns how many there were. */
  purge(): number {
    return this.#messages.splice(0).length;
  }

  /** Dispatch runs as a microtask so that a consumer settling a delivery never re-enters it. */
  scheduleDispatch(): void {
    if (this.#dispatchScheduled) return;
    this.#dispatchScheduled = true;
    queueMicrotask(() => {
      this.#dispatchScheduled = false;
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#messages.length > 0) {
      const consumer = this.#nextConsumerWithRoom();
      if (!consumer) return;
      const entry = this.#messages.shift() as QueuedMessage;
      consumer.inFlight += 1;
      consumer.offer(entry);
    }
  }

  /** Round-robin over consumers, skipping those at their prefetch limit, as a broker does. */
  #nextConsumerWithRoom(): QueueConsumer | undefined {
    for (let tried = 0; tried < this.#consumers.length; tried++) {
      const consumer = this.#consumers[this.#next % this.#consumers.length] as QueueConsumer;
      this.#next = (this.#next + 1) % Math.max(1, this.#consumers.length);
      if (consumer.inFlight < consumer.prefetch) return consumer;
    }
    return undefined;
  }
}

interface MemoryExchange {
  readonly spec: ExchangeSpec;
  readonly toExchanges: Set<string>;
  readonly toQueues: Set<string>;
}

/**
 * The broker behind one or more `MemoryTransport`s: fanout exchanges bound to exchanges and queues,
 * routed the way RabbitMQ routes, so that in-memory tests exercise the same topology as production.
 */
export class MemoryBroker {
  readonly #exchanges = new Map<string, MemoryExchange>();
  readonly #queues = new Map<string, MemoryQueue>();

  deploy(topology: Topology): void {
    for (const exchange of topology.exchanges) this.ensureExchange(exchange);
    for (const queue of topology.queues) this.ensureQueue(queue);
    for (const binding of topology.bindings) {
      const source = this.ensureExchange(defaultExchange(binding.source));
      if (binding.destinationType === 'queue') source.toQueues.add(binding.destination);
      else {
        this.ensureExchange(defaultExchange(binding.destination));
        source.toExchanges.add(binding.destination);
      }
    }
  }

  ensureExchange(spec: ExchangeSpec): MemoryExchange {
    let exchange = this.#exchanges.get(spec.name);
    if (!exchange) {
      exchange = { spec, toExchanges: new Set(), toQueues: new Set() };
      this.#exchanges.set(spec.name, exchange);
    }
    return exchange;
  }

  ensureQueue(spec: QueueSpec): MemoryQueue {
    let queue = this.#queues.get(spec.name);
    if (!queue) {
      queue = new MemoryQueue(spec);
      this.#queues.set(spec.name, queue);
    }
    return queue;
  }

  queue(name: string): MemoryQueue | undefined {
    return this.#queues.get(name);
  }

  hasExchange(name: string): boolean {
    return this.#exchanges.has(name);
  }

  queueNames(): string[] {
    return [...this.#queues.keys()].sort();
  }

  deleteQueue(name: string): void {
    this.#queues.delete(name);
    for (const exchange of this.#exchanges.values()) exchange.toQueues.delete(name);
  }

  /** Routes through the exchange graph; each queue receives one copy however many paths reach it. */
  route(exchangeName: string, message: TransportMessage): number {
    const reached = new Set<string>();
    const visited = new Set<string>();
    const walk = (name: string) => {
      if (visited.has(name)) return;
      visited.add(name);
      const exchange = this.#exchanges.get(name);
      if (!exchange) return;
      for (const queue of exchange.toQueues) reached.add(queue);
      for (const next of exchange.toExchanges) walk(next);
    };
    walk(exchangeName);
    for (const name of reached) this.#queues.get(name)?.enqueue({ message, redelivered: false });
    return reached.size;
  }
}

/** An exchange created on first use, durable and fanout like the ones MassTransit declares on publish. */
export function defaultExchange(name: string): ExchangeSpec {
  return { name, role: 'message-type', durable: true, autoDelete: false };
}

/** A queue created on first send, durable, as MassTransit declares a send endpoint's queue. */
export function defaultQueue(name: string): QueueSpec {
  return { name, role: 'endpoint', durable: true, autoDelete: false, queueType: 'classic' };
}
