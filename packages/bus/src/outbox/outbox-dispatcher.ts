import pino, { type Logger } from 'pino';
import type { Outbox, OutboxEntry, OutgoingMessage } from '../ports/outbox.ts';
import type { Transport } from '../transport/transport.ts';

/** Options for the outbox dispatcher. */
export interface OutboxDispatcherOptions<Tx> {
  readonly outbox: Outbox<Tx>;
  /** The transport the bus uses; the dispatcher only sends through it, the bus starts and closes it. */
  readonly transport: Transport;
  /** How long a claim (or the adder's own lease) keeps others off an entry (default 30 s). */
  readonly leaseMs?: number;
  /** Entries claimed per sweep round (default 100). */
  readonly batchSize?: number;
  /** How often the sweeper looks for entries left behind, without a wake-up (default 1 s). */
  readonly sweepIntervalMs?: number;
  readonly logger?: Logger;
}

/** Sends one outgoing message through a transport, as the bus does. */
export function dispatchOutgoing(transport: Transport, outgoing: OutgoingMessage): Promise<void> {
  if (outgoing.kind === 'publish') return transport.publish(outgoing.destination, outgoing.message);
  return transport.send(
    outgoing.destination,
    outgoing.message,
    outgoing.delayMs ? { delayMs: outgoing.delayMs } : noDelay,
  );
}

const noDelay = { delayMs: 0 };

/**
 * Delivers outbox entries: at once after the transaction that stored them commits, and through a
 * sweeper that claims entries whose lease ran out (their process crashed or could not reach the
 * transport). Entries of one conversation leave in order: delivery stops at the first failure.
 */
export class OutboxDispatcher<Tx> {
  readonly leaseMs: number;
  readonly #options: OutboxDispatcherOptions<Tx>;
  readonly #logger: Logger;
  #running = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: OutboxDispatcherOptions<Tx>) {
    this.#options = options;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.#logger = options.logger ?? pino({ enabled: false });
  }

  /**
   * Sends entries in order, marking each delivered once the transport confirmed it. Returns false if
   * one could not be sent: it and those after it are released for the sweeper, and nothing is lost.
   */
  async deliver(entries: readonly OutboxEntry[]): Promise<boolean> {
    const { outbox, transport } = this.#options;
    for (const [index, entry] of entries.entries()) {
      try {
        await dispatchOutgoing(transport, entry);
      } catch (error) {
        const left = entries.slice(index).map((each) => each.id);
        this.#logger.warn(
          { err: error, outboxId: entry.id, left: left.length },
          'Outbox delivery failed; the sweeper retries',
        );
        await outbox.release(left).catch(() => {});
        this.wake();
        return false;
      }
      await outbox.markDelivered([entry.id]);
    }
    return true;
  }

  /** Starts the sweeper. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#sweepLoop();
  }

  /** Asks the sweeper to look now rather than at its next interval (for example after a NOTIFY). */
  wake(): void {
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.wake();
    await this.#loop;
  }

  /** One sweep: claims and delivers until nothing is left or a delivery fails. Returns entries delivered. */
  async sweep(): Promise<number> {
    const { outbox } = this.#options;
    const batchSize = this.#options.batchSize ?? 100;
    let delivered = 0;
    for (;;) {
      const claimed = await outbox.claim(batchSize, this.leaseMs);
      if (claimed.length === 0) return delivered;
      if (!(await this.deliver(claimed))) return delivered;
      delivered += claimed.length;
      if (claimed.length < batchSize) return delivered;
    }
  }

  async #sweepLoop(): Promise<void> {
    const interval = this.#options.sweepIntervalMs ?? 1_000;
    while (this.#running) {
      try {
        await this.sweep();
      } catch (error) {
        this.#logger.error({ err: error }, 'Outbox sweep failed; trying again at the next interval');
      }
      if (!this.#running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, interval);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }
}
