import type { BusService, Inbox, Outbox } from '@switchyard/bus';
import pino, { type Logger } from 'pino';

/** What the cleaner removes, and after how long. */
export interface RetentionCleanerOptions {
  readonly outbox?: Outbox<unknown>;
  readonly inbox?: Inbox<unknown>;
  /** Delivered outbox entries older than this are deleted (default 1 day). */
  readonly deliveredOutboxRetentionMs?: number;
  // Inbox records are deleted once older than the inbox's own `windowMs`, never sooner: the window is
  // the inbox's promise about late duplicates, so the one number decides both.
  /** How often to clean (default every 10 minutes). */
  readonly intervalMs?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
}

const hour = 3_600_000;

/**
 * Deletes what exactly-once delivery no longer needs: delivered outbox entries and old inbox records,
 * on a timer. A bus service: give it to `createBus({ services })` and it runs while the bus does.
 */
export class RetentionCleaner implements BusService {
  readonly #options: RetentionCleanerOptions;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(options: RetentionCleanerOptions) {
    this.#options = options;
    this.#logger = options.logger ?? pino({ enabled: false });
  }

  async start(): Promise<void> {
    this.#timer = setInterval(
      () => {
        this.#running ??= this.clean()
          .then(() => {})
          .catch((error: unknown) =>
            this.#logger.warn({ err: error }, 'Retention clean-up failed; trying again later'),
          )
          .finally(() => {
            this.#running = undefined;
          });
      },
      this.#options.intervalMs ?? 10 * 60_000,
    );
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** One clean-up now; returns how many outbox entries and inbox records it removed. */
  async clean(): Promise<{ outboxEntries: number; inboxRecords: number }> {
    const now = (this.#options.now ?? Date.now)();
    const outboxEntries =
      (await this.#options.outbox?.removeDeliveredOlderThan(
        new Date(now - (this.#options.deliveredOutboxRetentionMs ?? 24 * hour)),
      )) ?? 0;
    const inboxRecords =
      (this.#options.inbox &&
        (await this.#options.inbox.removeOlderThan(new Date(now - this.#options.inbox.windowMs)))) ??
      0;
    if (outboxEntries + inboxRecords > 0)
      this.#logger.info({ outboxEntries, inboxRecords }, 'Retention clean-up');
    return { outboxEntries, inboxRecords };
  }
}
