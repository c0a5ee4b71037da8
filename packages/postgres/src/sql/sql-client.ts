import type { TransactionOptions } from '@switchyard/bus';

/** A row as the driver returns it; parse it into a typed value at the repository edge. */
export type Row = Readonly<Record<string, unknown>>;

/** What a statement returned. */
export interface QueryResult {
  readonly rows: Row[];
  /** Rows inserted, updated, deleted or returned. */
  readonly rowCount: number;
}

/** Runs parameterised statements (`$1`, `$2`...): a client outside a transaction, or a transaction. */
export interface SqlExecutor {
  query(statement: string, params?: readonly unknown[]): Promise<QueryResult>;
  /** Runs a script of several statements without parameters, such as a migration file. */
  exec(script: string): Promise<void>;
}

/** An open transaction; statements run on its connection, in order. */
export interface SqlTransaction extends SqlExecutor {
  /**
   * Runs `work` inside a savepoint: if it throws, only what it did is rolled back and the error
   * propagates; the transaction stays usable.
   */
  savepoint<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T>;
}

/** A notification received on a channel the client listens to. */
export type NotificationHandler = (payload: string) => void;

/**
 * One small interface over a PostgreSQL server (`pg` pool) and PGlite (PostgreSQL in WebAssembly, in
 * this process). Statements are explicit SQL; values go in parameters, never into the text.
 */
export interface SqlClient extends SqlExecutor {
  /** `postgres` for a server, `pglite` for the embedded database. */
  readonly kind: 'postgres' | 'pglite';
  /**
   * Commits when `work` resolves, rolls back when it throws (and rethrows). Once `options.signal`
   * aborts, it never commits: it rolls back and rejects with the signal's reason, and statements the
   * work starts afterwards fail with that reason. On a server, a statement in progress is cancelled.
   */
  transaction<T>(work: (tx: SqlTransaction) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Calls `handler` for each NOTIFY on `channel` until the returned function is called. On a server,
   * the listening connection is re-opened if it drops; notifications sent meanwhile are lost, so
   * listeners must also poll.
   */
  listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>>;
  /** Waits for statements in progress, then closes every connection. */
  close(): Promise<void>;
}
