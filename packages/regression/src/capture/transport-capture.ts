import { setTimeout as sleep } from 'node:timers/promises';
import { type ConsumerHandle, type Delivery, massTransitJsonCodec, type Transport } from '@switchyard/bus';
import pino, { type Logger } from 'pino';
import type { CapturedMessage } from '../captured-message.ts';
import { CaptureNotDrainedError, CaptureUnreadableError } from '../regression-errors.ts';
import type { CaptureStore, MalformedCapture } from '../store/capture-store.ts';
import { captureQueueName, captureTopology } from '../topology/capture-topology.ts';
import type { CaptureOptions } from './capture-options.ts';
import { capturedMessageFrom } from './captured-envelope.ts';

/** What a tap needs of its environment besides the transport: how full its queue is, and removing it. */
export interface CaptureQueueAccess {
  /** Messages waiting in the queue, not yet handed to a consumer. */
  depth(queue: string): Promise<number>;
  /** Deletes the queue and what it holds. */
  remove(queue: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A tap over any transport: a capture queue of its own bound to the chosen exchanges, consumed with a
 * prefetch, written to the store in batches, acknowledged only once the store committed. While the
 * store fails the tap keeps its batch unacknowledged and retries with backoff; the prefetch window is
 * then full, so the transport hands out nothing more and the rest waits in the queue. Nothing is lost:
 * if the process dies meanwhile, the unacknowledged messages go back to the queue, and the store skips
 * those it already has.
 */
export class TransportCapture {
  readonly queue: string;
  readonly #transport: Transport;
  readonly #access: CaptureQueueAccess;
  readonly #store: CaptureStore;
  readonly #options: CaptureOptions;
  readonly #logger: Logger;
  #pending: Delivery[] = [];
  #consumer: ConsumerHandle | undefined;
  #flushing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;
  #captured = 0;
  #malformed = 0;
  #failures = 0;

  constructor(
    transport: Transport,
    access: CaptureQueueAccess,
    store: CaptureStore,
    options: CaptureOptions,
  ) {
    this.#transport = transport;
    this.#access = access;
    this.#store = store;
    this.#options = options;
    this.#logger = options.logger ?? pino({ enabled: false });
    this.queue = options.queue ?? captureQueueName(options.run, options.environment);
  }

  /** Messages stored (or found already stored) and acknowledged. */
  get captured(): number {
    return this.#captured;
  }

  /** Bodies stored as malformed and acknowledged. */
  get malformedCount(): number {
    return this.#malformed;
  }

  /** Store writes that failed in a row; 0 when capturing normally. */
  get storeFailures(): number {
    return this.#failures;
  }

  /** Declares the capture queue and its bindings, then starts consuming. */
  async start(): Promise<void> {
    this.#stopping = false;
    await this.#transport.start();
    await this.#transport.deploy(captureTopology(this.queue, this.#options.exchanges));
    this.#consumer = await this.#transport.consume(
      this.queue,
      { prefetch: this.#options.prefetch ?? 500 },
      (delivery) => this.#received(delivery),
    );
  }

  /**
   * Resolves once the capture queue is empty and everything taken from it is stored and acknowledged,
   * seen twice `settleMs` apart (a message may be on its way from the broker in between).
   */
  async drain(options: { readonly settleMs?: number; readonly timeoutMs?: number } = {}): Promise<void> {
    const settleMs = options.settleMs ?? 200;
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    let emptyBefore = false;
    while (Date.now() < deadline) {
      const empty =
        this.#pending.length === 0 && !this.#flushing && (await this.#access.depth(this.queue)) === 0;
      if (empty && emptyBefore) return;
      emptyBefore = empty;
      await sleep(empty ? settleMs : 50);
    }
    throw new CaptureNotDrainedError(
      `Capture queue "${this.queue}" did not drain within ${options.timeoutMs ?? 60_000} ms (${this.#pending.length} held)`,
    );
  }

  /** Stops consuming, writes what it holds (once: if the store is down, it goes back to the queue), and closes. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#timer);
    await this.#consumer?.cancel();
    this.#consumer = undefined;
    await this.#flushing;
    // One try per batch: what the store will not take now goes back to the queue when the transport closes.
    while (this.#pending.length > 0) {
      const written = await this.#writeBatch().then(
        () => true,
        () => false,
      );
      if (!written) break;
    }
    this.#pending = [];
    await this.#transport.close();
    await this.#access.close();
  }

  /** Deletes the capture queue, for cleanup after a run; call after `stop`. */
  async deleteQueue(): Promise<void> {
    await this.#access.remove(this.queue);
  }

  #received(delivery: Delivery): void {
    this.#pending.push(delivery);
    if (this.#pending.length >= (this.#options.batchSize ?? 200)) this.#flushSoon(0);
    else this.#flushSoon(this.#options.flushMs ?? 50);
  }

  #flushSoon(delayMs: number): void {
    if (this.#flushing) return;
    if (delayMs === 0) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#flushing = this.#flushLoop().finally(() => {
        this.#flushing = undefined;
        // A delivery that came while the loop was finishing found it busy: write it too.
        if (this.#pending.length > 0 && !this.#stopping) this.#flushSoon(this.#options.flushMs ?? 50);
      });
      return;
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#flushSoon(0);
    }, delayMs);
  }

  /** Writes batches until nothing is pending; a failed write is retried, never skipped. */
  async #flushLoop(): Promise<void> {
    while (this.#pending.length > 0 && !this.#stopping) {
      try {
        await this.#writeBatch();
        this.#failures = 0;
      } catch (error) {
        this.#failures += 1;
        const retry = this.#options.retry ?? {};
        const delayMs = Math.min(
          retry.maxDelayMs ?? 5_000,
          (retry.initialDelayMs ?? 100) * 2 ** (this.#failures - 1),
        );
        this.#logger.warn(
          { err: error, queue: this.queue, held: this.#pending.length, failures: this.#failures, delayMs },
          'Capture store write failed; holding the batch unacknowledged and retrying',
        );
        await sleep(delayMs);
      }
    }
  }

  /** Stores the first batch of pending deliveries and acknowledges them; throws, keeping them, if the store fails. */
  async #writeBatch(): Promise<void> {
    const batch = this.#pending.slice(0, this.#options.batchSize ?? 200);
    const capturedAt = new Date();
    const messages: CapturedMessage[] = [];
    const malformed: MalformedCapture[] = [];
    const source = { run: this.#options.run, environment: this.#options.environment };
    for (const delivery of batch) {
      try {
        messages.push(
          capturedMessageFrom(
            delivery.message,
            source,
            capturedAt,
            this.#options.codecs ?? [massTransitJsonCodec],
          ),
        );
      } catch (error) {
        if (!(error instanceof CaptureUnreadableError)) throw error;
        malformed.push({
          ...source,
          transportMessageId: delivery.message.messageId || undefined,
          body: delivery.message.body,
          reason: error.message,
          capturedAt: capturedAt.toISOString(),
        });
      }
    }
    await this.#store.appendMalformed(malformed);
    await this.#store.append(messages, this.#options.keyOf);
    this.#pending.splice(0, batch.length);
    this.#captured += messages.length;
    this.#malformed += malformed.length;
    for (const delivery of batch) {
      // Stored: an ack that fails (a dropped connection) only means a redelivery the store skips.
      await delivery.ack().catch((error: unknown) => {
        this.#logger.warn({ err: error, queue: this.queue }, 'Acknowledging a captured message failed');
      });
    }
  }
}
