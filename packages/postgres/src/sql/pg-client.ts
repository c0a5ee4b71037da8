import { createHash } from 'node:crypto';
import pg from 'pg';
import { PgListener } from './pg-listener.ts';
import { withSavepoint } from './savepoint.ts';
import type { QueryResult, SqlClient, SqlTransaction } from './sql-client.ts';
import { sqlErrorFor } from './sql-error.ts';

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
  const prepare = options.preparedStatements ?? true;
  let closed = false;

  return {
    kind: 'postgres',
    query: (statement, params) => run(pool, statement, params, prepare),
    exec: async (script) => {
      await run(pool, script);
    },
    async transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
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
      try {
        await run(connection, 'begin');
        const result = await work(new PgTransaction(connection, prepare));
        await run(connection, 'commit');
        return result;
      } catch (error) {
        // A connection that cannot even roll back is dropped, not returned to the pool.
        await connection.query('rollback').catch(() => {
          broken = true;
        });
        throw error;
      } finally {
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

class PgTransaction implements SqlTransaction {
  readonly #connection: pg.PoolClient;
  readonly #prepare: boolean;
  #savepoints = 0;

  constructor(connection: pg.PoolClient, prepare: boolean) {
    this.#connection = connection;
    this.#prepare = prepare;
  }

  query(statement: string, params?: readonly unknown[]): Promise<QueryResult> {
    return run(this.#connection, statement, params, this.#prepare);
  }

  async exec(script: string): Promise<void> {
    await run(this.#connection, script);
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
