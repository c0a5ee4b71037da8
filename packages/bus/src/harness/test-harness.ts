import { type Bus, type BusOptions, createBus } from '../bus/bus.ts';
import { type Codec, codecFor } from '../codec/codec.ts';
import { massTransitJsonCodec } from '../codec/masstransit-json-codec.ts';
import type { DeliveryObserver } from '../endpoint/endpoint-runtime.ts';
import type { Envelope } from '../envelope/envelope.ts';
import { MemoryBroker } from '../memory/memory-broker.ts';
import { MemoryTransport } from '../memory/memory-transport.ts';
import { transportHeaders } from '../recoverability/transport-headers.ts';
import type { Topology } from '../topology/topology.ts';
import type {
  ConsumeOptions,
  ConsumerHandle,
  Delivery,
  Headers,
  SendOptions,
  Transport,
  TransportHealth,
  TransportMessage,
} from '../transport/transport.ts';
import { MessageLog, type Observed } from './message-log.ts';

/** A message the bus handed to the transport. */
export interface ProducedRecord<T = unknown> extends Observed<T> {
  /** The exchange (publish) or queue (send) it went to. */
  readonly destination: string;
}

/** A message a consumer handled successfully. */
export interface ConsumedRecord<T = unknown> extends Observed<T> {
  readonly endpoint: string;
  readonly consumer: string;
  readonly attempt: number;
}

/** A message that ended in an error queue. */
export interface FaultedRecord<T = unknown> extends Observed<T> {
  readonly endpoint: string;
  readonly error: unknown;
  readonly consumer?: string | undefined;
}

/** A message moved to a skipped queue. */
export interface SkippedRecord<T = unknown> extends Observed<T> {
  readonly endpoint: string;
  readonly reason: 'dead-letter' | 'expired';
}

/** A message waiting in a queue, decoded, with its transport headers (for error-queue assertions). */
export interface QueuedRecord {
  readonly envelope: Envelope | undefined;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

/** A running in-memory bus that records what happens, for tests. */
export interface TestHarness {
  readonly bus: Bus;
  readonly transport: MemoryTransport;
  readonly published: MessageLog<ProducedRecord>;
  readonly sent: MessageLog<ProducedRecord>;
  readonly consumed: MessageLog<ConsumedRecord>;
  readonly faulted: MessageLog<FaultedRecord>;
  readonly skipped: MessageLog<SkippedRecord>;
  /** The messages waiting in a queue now, such as `orders_error`. */
  queue(name: string): QueuedRecord[];
  stop(): Promise<void>;
}

/** Options for the harness: any bus option but the transport, which is in memory. */
export interface TestHarnessOptions extends Omit<BusOptions, 'transport'> {
  readonly broker?: MemoryBroker;
}

/** Starts a bus on the in-memory transport with everything it does recorded. */
export async function startTestHarness(options: TestHarnessOptions = {}): Promise<TestHarness> {
  const codecs = options.codecs ?? [massTransitJsonCodec];
  const published = new MessageLog<ProducedRecord>('published');
  const sent = new MessageLog<ProducedRecord>('sent');
  const consumed = new MessageLog<ConsumedRecord>('consumed');
  const faulted = new MessageLog<FaultedRecord>('faulted');
  const skipped = new MessageLog<SkippedRecord>('skipped');
  const memory = new MemoryTransport(options.broker ?? new MemoryBroker());
  const recorder: DeliveryObserver = {
    consumed: (context) =>
      consumed.add({
        envelope: context.envelope,
        message: context.message,
        endpoint: context.endpoint,
        consumer: context.consumer,
        attempt: context.attempt,
      }),
    faulted: (event) => {
      if (event.envelope)
        faulted.add({ ...event, envelope: event.envelope, message: event.envelope.message });
    },
    skipped: (event) => skipped.add({ ...event, message: event.envelope.message }),
  };
  const bus = createBus({
    ...options,
    transport: new RecordingTransport(memory, codecs, published, sent),
    observers: [recorder, ...(options.observers ?? [])],
  });
  await bus.start();
  return {
    bus,
    transport: memory,
    published,
    sent,
    consumed,
    faulted,
    skipped,
    queue: (name) =>
      (memory.broker.queue(name)?.peek() ?? []).map(({ message }) => ({
        envelope: tryDecode(codecs, message),
        headers: message.headers,
        body: message.body,
      })),
    stop: () => bus.stop({ deadlineMs: 5_000 }),
  };
}

/** Passes everything to the memory transport, noting each message the application produced. */
class RecordingTransport implements Transport {
  readonly name = 'memory';
  readonly #inner: MemoryTransport;
  readonly #codecs: readonly Codec[];
  readonly #published: MessageLog<ProducedRecord>;
  readonly #sent: MessageLog<ProducedRecord>;

  constructor(
    inner: MemoryTransport,
    codecs: readonly Codec[],
    published: MessageLog<ProducedRecord>,
    sent: MessageLog<ProducedRecord>,
  ) {
    this.#inner = inner;
    this.#codecs = codecs;
    this.#published = published;
    this.#sent = sent;
  }

  start(): Promise<void> {
    return this.#inner.start();
  }

  deploy(topology: Topology): Promise<void> {
    return this.#inner.deploy(topology);
  }

  async publish(exchange: string, message: TransportMessage): Promise<void> {
    await this.#inner.publish(exchange, message);
    this.#record(this.#published, exchange, message);
  }

  async send(queue: string, message: TransportMessage, options?: SendOptions): Promise<void> {
    await this.#inner.send(queue, message, options);
    // Moves to error or skipped queues and redeliveries are the bus's own traffic, not the application's.
    const own =
      transportHeaders.reason in message.headers || transportHeaders.redeliveryCount in message.headers;
    if (!own) this.#record(this.#sent, queue, message);
  }

  consume(
    queue: string,
    options: ConsumeOptions,
    onDelivery: (delivery: Delivery) => void,
  ): Promise<ConsumerHandle> {
    return this.#inner.consume(queue, options, onDelivery);
  }

  addressOf(entity: string): string {
    return this.#inner.addressOf(entity);
  }

  health(): TransportHealth {
    return this.#inner.health();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  #record(log: MessageLog<ProducedRecord>, destination: string, message: TransportMessage): void {
    const envelope = tryDecode(this.#codecs, message);
    if (envelope) log.add({ envelope, message: envelope.message, destination });
  }
}

function tryDecode(codecs: readonly Codec[], message: TransportMessage): Envelope | undefined {
  try {
    return codecFor(codecs, message.contentType).decode(message.body);
  } catch {
    return undefined;
  }
}
