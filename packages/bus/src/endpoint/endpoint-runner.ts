import type { ConsumeOutcome } from '../observability/telemetry.ts';
import { recordConsumed } from '../observability/telemetry.ts';
import type { ConsumerHandle, Delivery } from '../transport/transport.ts';
import type { EndpointRuntime } from './endpoint-runtime.ts';
import { handleDelivery } from './handle-delivery.ts';

/**
 * Runs one receive endpoint: takes deliveries from the transport, handles at most `concurrency` at a
 * time, and stops gracefully: stop taking, finish what is in flight, then let go.
 */
export class EndpointRunner {
  readonly #runtime: EndpointRuntime;
  readonly #waiting: Delivery[] = [];
  #inFlight = 0;
  /** Resolved when the last delivery in flight settles. */
  #drained: { promise: Promise<void>; resolve: () => void } | undefined;
  #consumer: ConsumerHandle | undefined;
  #stopping = false;

  constructor(runtime: EndpointRuntime) {
    this.#runtime = runtime;
  }

  get name(): string {
    return this.#runtime.endpoint.name;
  }

  /** Deliveries being handled right now plus those waiting for a free slot. */
  get busy(): number {
    return this.#inFlight + this.#waiting.length;
  }

  async start(): Promise<void> {
    const { endpoint, transport } = this.#runtime;
    this.#consumer = await transport.consume(endpoint.name, { prefetch: endpoint.prefetch }, (delivery) =>
      this.#accept(delivery),
    );
  }

  /** Stops taking messages, then waits for those in flight; returns what was still unfinished. */
  async stopTaking(): Promise<void> {
    this.#stopping = true;
    await this.#consumer?.cancel();
    this.#consumer = undefined;
    // Deliveries that never started go straight back, so another instance can take them now.
    for (const delivery of this.#waiting.splice(0)) await delivery.requeue().catch(() => {});
  }

  /** Resolves when every delivery in flight is settled. */
  async drained(): Promise<void> {
    if (this.#inFlight === 0) return;
    this.#drained ??= Promise.withResolvers<void>();
    await this.#drained.promise;
  }

  #accept(delivery: Delivery): void {
    if (this.#stopping) {
      void delivery.requeue().catch(() => {});
      return;
    }
    this.#waiting.push(delivery);
    this.#pump();
  }

  #pump(): void {
    while (this.#inFlight < this.#runtime.endpoint.concurrency && this.#waiting.length > 0) {
      this.#inFlight += 1;
      void this.#handle(this.#waiting.shift() as Delivery);
    }
  }

  /** handleDelivery settles every delivery itself and never rejects. */
  #handle(delivery: Delivery): void {
    const startedAt = performance.now();
    // A callback rather than an async method: one fewer frame and promise for every message.
    void handleDelivery(this.#runtime, delivery).then(
      (outcome) => this.#finished(outcome, startedAt),
      () => this.#finished('requeued', startedAt),
    );
  }

  #finished(outcome: ConsumeOutcome, startedAt: number): void {
    recordConsumed(this.name, outcome, performance.now() - startedAt);
    this.#inFlight -= 1;
    if (this.#inFlight === 0 && this.#drained) {
      this.#drained.resolve();
      this.#drained = undefined;
    }
    this.#pump();
  }
}
