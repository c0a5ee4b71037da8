import pg from 'pg';
import type { PostgresClientOptions } from './pg-client.ts';

/**
 * Stops statements in progress on other connections with `pg_cancel_backend`. It has a pool of its
 * own, of one connection made on first use and closed when idle: the statements it cancels may hold
 * every connection of the client's pool (all waiting on the same lock), and a cancel queued behind
 * them would wait for the very thing it is meant to end.
 */
export class StatementCanceller {
  readonly #options: PostgresClientOptions;
  #pool: pg.Pool | undefined;

  constructor(options: PostgresClientOptions) {
    this.#options = options;
  }

  /**
   * Asks the server to cancel what the backend `processId` is running. Never rejects: a cancel that
   * cannot be sent (the server is gone) leaves the statement to end some other way.
   */
  async cancel(processId: number): Promise<void> {
    try {
      await this.#connected().query('select pg_cancel_backend($1)', [processId]);
    } catch {
      // Nothing to do: the statement finishes, fails or loses its connection on its own.
    }
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.end().catch(() => {});
  }

  #connected(): pg.Pool {
    if (!this.#pool) {
      this.#pool = new pg.Pool({
        connectionString: this.#options.url,
        max: 1,
        idleTimeoutMillis: 5_000,
        connectionTimeoutMillis: 5_000,
        application_name: `${this.#options.applicationName ?? 'switchyard'} canceller`,
      });
      this.#pool.on('error', () => {});
    }
    return this.#pool;
  }
}
