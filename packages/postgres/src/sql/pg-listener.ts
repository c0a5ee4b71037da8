import pg from 'pg';
import { quoteIdentifier } from './identifiers.ts';
import type { PostgresClientOptions } from './pg-client.ts';
import type { NotificationHandler } from './sql-client.ts';
import { sqlErrorFor } from './sql-error.ts';

/**
 * One connection that LISTENs for every channel this client listens to, re-opened with backoff when
 * it drops (a restarted server), re-issuing its LISTENs.
 */
export class PgListener {
  readonly #options: PostgresClientOptions;
  readonly #handlers = new Map<string, Set<NotificationHandler>>();
  #client: pg.Client | undefined;
  #connecting: Promise<pg.Client> | undefined;
  #closed = false;
  /** Ends the backoff wait under way: closing must not leave a timer keeping the process alive. */
  #endPause: (() => void) | undefined;

  constructor(options: PostgresClientOptions) {
    this.#options = options;
  }

  async listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>> {
    let handlers = this.#handlers.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.#handlers.set(channel, handlers);
      const client = await this.#connected();
      await listenOn(client, channel);
    }
    handlers.add(handler);
    return async () => {
      handlers.delete(handler);
      if (handlers.size > 0 || this.#handlers.get(channel) !== handlers) return;
      this.#handlers.delete(channel);
      await this.#client?.query(`unlisten ${quoteIdentifier(channel)}`).catch(() => {});
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#endPause?.();
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  #connected(): Promise<pg.Client> {
    if (this.#client) return Promise.resolve(this.#client);
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #open(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.#options.url,
      application_name: `${this.#options.applicationName ?? 'switchyard'} listener`,
    });
    client.on('notification', (notification) => {
      for (const handler of this.#handlers.get(notification.channel) ?? [])
        handler(notification.payload ?? '');
    });
    client.on('error', () => this.#lost(client));
    client.on('end', () => this.#lost(client));
    await client.connect();
    try {
      for (const channel of this.#handlers.keys()) await listenOn(client, channel);
      // Closed while this was opening: a connection kept now would outlive the listener.
      if (this.#closed) throw new Error('The listener was closed while it connected');
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    this.#client = client;
    return client;
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    void this.#reopen();
  }

  async #reopen(): Promise<void> {
    let delayMs = this.#options.listenRetryMs ?? 500;
    while (!this.#closed && this.#handlers.size > 0 && !this.#client) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        this.#endPause = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#endPause = undefined;
      if (this.#closed) return;
      try {
        await this.#connected();
      } catch {
        delayMs = Math.min(10_000, delayMs * 2);
      }
    }
  }
}

async function listenOn(client: pg.Client, channel: string): Promise<void> {
  const statement = `listen ${quoteIdentifier(channel)}`;
  try {
    await client.query(statement);
  } catch (error) {
    throw sqlErrorFor(statement, error);
  }
}
