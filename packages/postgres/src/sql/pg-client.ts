import { createHash } from 'node:crypto';
import type { TransactionOptions } from '@switchyard/bus';
import pg from 'pg';
import { PgListener } from './pg-listener.ts';
import { withSavepoint } from './savepoint.ts';
import type { QueryResult, SqlClient, SqlTransaction } from './sql-client.ts';
import { sqlErrorFor } from './sql-error.ts';
import { StatementCanceller } from './statement-canceller.ts';

/** How to reach a PostgreSQL server. */
export interface PostgresClientOptions {
  /** `postgres://user:password@host:5432/database`; `?options=-c search_path=...` is honoured. */
  readonly url: string;
  /** Pool size (default 10). */
  readonly maxConnections?: number;
  /** Shown in `pg_stat_activity`. */
  readonly applicationName?: string;
  /**
   * Statements with parameters are prepared once per connection and then only executed, which saves
   * the planning on every call (default true). Turn it off behind a pooler in transaction mode
   * (PgBouncer), where the next statement may reach another server connection.
   */
  readonly preparedStatements?: boolean;
  /** Delay before re-opening a dropped listening connection (default 500 ms, doubling to 10 s). */
  readonly listenRetryMs?: number;
}

/** A SqlClient over a `pg` connection pool. */
export function connectPostgres(options: PostgresClientOptions): SqlClient {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    application_name: options.applicationName ?? 'switchyard',
  });
  // An idle connection that dies (server restart) is removed by the pool; the next query opens another.
  pool.on('error', () => {});
  // A dying connection can emit 'error' more than once (the server's FATAL, then the socket closing),
  // and pg-pool listens only once while a query runs: without a listener of our own, the second would
  // crash the process. Statements still fail through their own callbacks.
  pool.on('connect', (connection) => {
    connection.on('error', () => {});
  });
  const listener = new PgListener(options);
  const canceller = new StatementCanceller(options);
  const prepare = options.preparedStatements ?? true;
  let closed = false;

  return {
    kind: 'postgres',
    query: (statement, params) => run(pool, statement, params, prepare),
    exec: async (script) => {
      await run(pool, script);
    },
    async transaction<T>(
      work: (tx: SqlTransaction) => Promise<T>,
      { signal }: TransactionOptions = {},
    ): Promise<T> {
      signal?.throwIfAborted();
      let connection: pg.PoolClient;
      try {
        connection = await pool.connect();
      } catch (error) {
        throw sqlErrorFor('begin', error);
      }
      let broken = false;
      // A connection that dies while checked out (a server restart) emits 'error'; unheard, it would
      // crash the process. The statement in progress fails on its own; the connection is dropped.
      const onError = () => {
        broken = true;
      };
      connection.on('error', onError);
      const tx = new PgTransaction(connection, prepare, signal);
      let committing = false;
      let cancelling: Promise<void> | undefined;
      // A statement waiting on a lock or still scanning would hold the work (and the caller waiting
      // for it) until it ends: stop it on the server. A commit in progress is left to finish.
      const onAbort = () => {
        const processId = processIdOf(connection);
        if (tx.running > 0 && !committing && processId !== undefined) {
          cancelling = canceller.cancel(processId);
        }
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await run(connection, 'begin');
        const result = await work(tx);
        // Work that finished after its caller gave up may be running again elsewhere: keep none of it.
        signal?.throwIfAborted();
        committing = true;
        await run(connection, 'commit');
        return result;
      } catch (error) {
        // A cancel still on its way could otherwise stop the rollback, or the connection's next user.
        await cancelling;
        // A connection that cannot even roll back is dropped, not returned to the pool.
        await connection.query('rollback').catch(() => {
          broken = true;
        });
        throw signal?.aborted ? signal.reason : error;
      } finally {
        signal?.removeEventListener('abort', onAbort);
        connection.off('error', onError);
        connection.release(broken);
      }
    },
    listen: (channel, handler) => listener.listen(channel, handler),
    async close() {
      // pg's Pool.end() fails when called twice; closing twice is harmless here.
      if (closed) return;
      closed = true;
      await listener.close();
      await canceller.close();
      await pool.end();
    },
  };
}

async function run(
  executor: pg.Pool | pg.PoolClient | pg.Client,
  statement: string,
  params?: readonly unknown[],
  prepare = false,
): Promise<QueryResult> {
  try {
    const name = prepare && params && params.length > 0 ? preparedName(statement) : undefined;
    const result: pg.QueryResult | pg.QueryResult[] = name
      ? await executor.query({ name, text: statement, values: params as unknown[] })
      : await executor.query(statement, params as unknown[] | undefined);
    // A script of several statements answers with one result per statement; the last one stands.
    const last = Array.isArray(result) ? result.at(-1) : result;
    const rows = last?.rows ?? [];
    return { rows, rowCount: last?.rowCount ?? rows.length };
  } catch (error) {
    throw sqlErrorFor(statement, error);
  }
}

/** pg sets it from the server's BackendKeyData when the connection opens; its types leave it out. */
function processIdOf(connection: pg.PoolClient): number | undefined {
  const processId = (connection as pg.PoolClient & { processID?: unknown }).processID;
  return typeof processId === 'number' ? processId : undefined;
}

class PgTransaction implements SqlTransaction {
  readonly #connection: pg.PoolClient;
  readonly #prepare: boolean;
  readonly #signal: AbortSignal | undefined;
  #savepoints = 0;
  #running = 0;

  constructor(connection: pg.PoolClient, prepare: boolean, signal: AbortSignal | undefined) {
    this.#connection = connection;
    this.#prepare = prepare;
    this.#signal = signal;
  }

  /** Statements sent on the connection and not yet answered. */
  get running(): number {
    return this.#running;
  }

  query(statement: string, params?: readonly unknown[]): Promise<QueryResult> {
    return this.#track(() => run(this.#connection, statement, params, this.#prepare));
  }

  async exec(script: string): Promise<void> {
    await this.#track(() => run(this.#connection, script));
  }

  /** Refuses new statements once the transaction was aborted, and counts those in progress. */
  async #track<R>(statement: () => Promise<R>): Promise<R> {
    this.#signal?.throwIfAborted();
    this.#running += 1;
    try {
      return await statement();
    } finally {
      this.#running -= 1;
    }
  }

  async savepoint<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return withSavepoint(this, `yard_sp_${++this.#savepoints}`, work);
  }
}

const preparedNames = new Map<string, string>();
/**
 * Each connection keeps the statements it prepared for as long as it lives. Switchyard's own are a
 * few dozen; an application that builds SQL text on the fly could make thousands, so past this many
 * distinct texts, new ones run unprepared.
 */
const maxPreparedStatements = 1_000;

/** A server-side name for a statement's text (the same text, the same name), or none past the limit. */
function preparedName(statement: string): string | undefined {
  let name = preparedNames.get(statement);
  if (!name && preparedNames.size < maxPreparedStatements) {
    name = `yard_${createHash('sha1').update(statement).digest('hex').slice(0, 24)}`;
    preparedNames.set(statement, name);
  }
  return name;
}
