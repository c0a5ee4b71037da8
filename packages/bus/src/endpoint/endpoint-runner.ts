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
  readonly #inFlight = new Set<Promise<ConsumeOutcome>>();
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
    return this.#inFlight.size + this.#waiting.length;
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
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
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
    while (this.#inFlight.size < this.#runtime.endpoint.concurrency && this.#waiting.length > 0) {
      const delivery = this.#waiting.shift() as Delivery;
      const startedAt = performance.now();
      const work = handleDelivery(this.#runtime, delivery).then((outcome) => {
        recordConsumed(this.name, outcome, performance.now() - startedAt);
        return outcome;
      });
      this.#inFlight.add(work);
      void work.finally(() => {
        this.#inFlight.delete(work);
        this.#pump();
      });
    }
  }
}
