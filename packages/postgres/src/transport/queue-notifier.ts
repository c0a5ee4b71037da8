import type { Logger } from 'pino';
import type { SqlClient } from '../sql/sql-client.ts';

/**
 * Tells consumers, in every process this one included, that queues received messages: one NOTIFY per
 * queue per turn of the event loop, sent after the inserts committed. Notifying inside each insert
 * would be simpler, but PostgreSQL commits notifying transactions one at a time, which halves the rate
 * of concurrent sends. Local consumers hear the same NOTIFY rather than being woken first, so that
 * competing consumers in other processes get their share. A notification lost to a crash between
 * insert and NOTIFY costs a consumer at most one poll interval.
 */
export class QueueNotifier {
  readonly #client: SqlClient;
  readonly #channel: string;
  readonly #logger: Logger;
  #pending = new Set<string>();
  #scheduled = false;

  constructor(client: SqlClient, channel: string, logger: Logger) {
    this.#client = client;
    this.#channel = channel;
    this.#logger = logger;
  }

  /** Queues whose new messages have committed. */
  reached(queues: Iterable<string>): void {
    for (const queue of queues) this.#pending.add(queue);
    if (this.#scheduled || this.#pending.size === 0) return;
    this.#scheduled = true;
    setImmediate(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    const queues = [...this.#pending];
    this.#pending = new Set();
    try {
      await this.#client.query('select pg_notify($1, queue) from unnest($2::text[]) as queue', [
        this.#channel,
        queues,
      ]);
    } catch (error) {
      this.#logger.warn(
        { err: error, queues },
        'Could not notify other processes; their consumers will poll',
      );
    } finally {
      this.#scheduled = false;
      if (this.#pending.size > 0) this.reached([]);
    }
  }
}
