import pino, { type Logger } from 'pino';
import type { AddedEntries, Outbox, OutboxLease, OutgoingMessage } from '../ports/outbox.ts';
import type { Transport } from '../transport/transport.ts';

/** Options for the outbox dispatcher. */
export interface OutboxDispatcherOptions<Tx> {
  readonly outbox: Outbox<Tx>;
  /** The transport the bus uses; the dispatcher only sends through it, the bus starts and closes it. */
  readonly transport: Transport;
  /**
   * How long a claim (or the adder's own lease) keeps others off an entry (default 60 s). The
   * dispatcher renews the lease of a batch every `leaseMs / 3` while it sends, so the lease only runs
   * out when renewals cannot reach the outbox's store or the process stalls; it is also how long the
   * entries of a crashed process wait before another sends them. Keep it above the longest a single
   * publish can wait: with RabbitMQ, `unavailableTimeoutMs` (30 s) plus the publish confirm timeout
   * (15 s) = 45 s by default, so a send stuck in a broker outage still ends inside one lease even if a
   * renewal is missed.
   */
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

/** The default lease: above the 45 s a RabbitMQ publish can wait by default (see `leaseMs`). */
export const defaultOutboxLeaseMs = 60_000;

/**
 * Delivers outbox entries: at once after the transaction that stored them commits, and through a
 * sweeper that claims entries whose lease ran out (their process crashed or could not reach the
 * transport). Entries of one conversation leave in order on both paths: the outbox holds back from the
 * direct send any entry whose conversation has an earlier undelivered one, and delivery of a batch
 * stops at the first failure or as soon as the dispatcher learns it lost its lease.
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
    this.leaseMs = options.leaseMs ?? defaultOutboxLeaseMs;
    this.#logger = options.logger ?? pino({ enabled: false });
  }

  /**
   * Sends what `add` leased to the caller, after the transaction committed, and wakes the sweeper for
   * what it held back behind an earlier undelivered entry of the same conversation.
   */
  async dispatchAdded(added: AddedEntries): Promise<boolean> {
    const sent = await this.deliver(added);
    if (added.heldBack.length > 0) this.wake();
    return sent;
  }

  /**
   * Sends a lease's entries in order, marking each delivered once the transport confirmed it, and
   * renews the lease of those still to send every `leaseMs / 3`. Returns false if it stopped early:
   * a send failed (it and those after it are released for the sweeper), or the lease was taken over
   * (the new holder sends the rest). Nothing is lost either way. A dispatcher whose lease was taken
   * over learns it at its next `markDelivered` or renewal, so it sends at most the one entry then in
   * flight again.
   */
  async deliver(lease: OutboxLease): Promise<boolean> {
    const { entries, owner } = lease;
    if (entries.length === 0) return true;
    const { outbox, transport } = this.#options;
    let next = 0;
    let lost = false;
    let renewing = false;
    const renew = async () => {
      if (renewing || next >= entries.length) return;
      renewing = true;
      const ids = entries.slice(next).map((entry) => entry.id);
      try {
        const held = await outbox.renew(owner, ids, this.leaseMs);
        if (held.length < ids.length) lost = true;
      } catch (error) {
        this.#logger.warn(
          { err: error, left: ids.length },
          'Renewing the outbox lease failed; another dispatcher may send these entries too if it runs out',
        );
      } finally {
        renewing = false;
      }
    };
    const renewal = setInterval(() => void renew(), Math.max(1, Math.floor(this.leaseMs / 3)));
    const giveBack = async (reason: string, error?: unknown) => {
      const left = entries.slice(next).map((each) => each.id);
      this.#logger.warn({ err: error, outboxId: left[0], left: left.length }, reason);
      await outbox.release(owner, left).catch(() => {});
      this.wake();
      return false;
    };
    try {
      for (; next < entries.length; next++) {
        if (lost) return await giveBack('Outbox lease taken over by another dispatcher; it sends the rest');
        const entry = entries[next] as (typeof entries)[number];
        try {
          await dispatchOutgoing(transport, entry);
        } catch (error) {
          return await giveBack('Outbox delivery failed; the sweeper retries', error);
        }
        if (!(await outbox.markDelivered(owner, [entry.id]))) lost = true;
      }
      if (lost) this.#logger.warn('Outbox lease was taken over while its last entry was sent');
      return !lost;
    } finally {
      clearInterval(renewal);
    }
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
      if (claimed.entries.length === 0) return delivered;
      if (!(await this.deliver(claimed))) return delivered;
      delivered += claimed.entries.length;
      if (claimed.entries.length < batchSize) return delivered;
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
