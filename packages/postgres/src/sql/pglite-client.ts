import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { TransactionOptions } from '@switchyard/bus';
import { lockDataDirectory } from './pglite-directory-lock.ts';
import { withSavepoint } from './savepoint.ts';
import type { QueryResult, SqlClient, SqlTransaction } from './sql-client.ts';
import { sqlErrorFor } from './sql-error.ts';

/** Where PGlite keeps its data. */
export interface PgliteClientOptions {
  /** A folder for the database files (kept across restarts, made with its parents if missing); in memory when absent. */
  readonly dataDir?: string;
}

/**
 * Whether `dataDir` holds an embedded database (PGlite has initialised it), so that a tool that only
 * reads can refuse a folder where opening would create a new, empty database instead.
 */
export function pgliteDatabaseExists(dataDir: string): boolean {
  // PostgreSQL writes PG_VERSION when it initialises a data folder: no such file, no database.
  return existsSync(join(dataDir, 'PG_VERSION'));
}

/**
 * A SqlClient over PGlite: PostgreSQL compiled to WebAssembly, running in this process on one
 * connection. Statements and transactions queue behind each other, so a transaction must use its own
 * handle for every statement: calling the client inside a transaction waits for that transaction.
 */
export async function openPglite(options: PgliteClientOptions = {}): Promise<SqlClient> {
  // PGlite makes the folder itself but not its parents (./data/pglite on a fresh clone).
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  // One process per folder: taken before PGlite touches the files, given back when it has closed.
  const lock = options.dataDir ? await lockDataDirectory(options.dataDir) : undefined;
  let db: PGlite;
  try {
    db = await PGlite.create(options.dataDir);
  } catch (error) {
    await lock?.release();
    throw error;
  }
  let closed = false;
  return {
    kind: 'pglite',
    query: (statement, params) => run(db, statement, params),
    exec: (script) => execScript(db, script),
    async transaction<T>(
      work: (tx: SqlTransaction) => Promise<T>,
      { signal }: TransactionOptions = {},
    ): Promise<T> {
      signal?.throwIfAborted();
      try {
        return await db.transaction(async (tx) => {
          const result = await work(new PgliteTransaction(tx, signal));
          // PGlite cannot stop a statement in progress, but it need not commit work its caller gave up on.
          signal?.throwIfAborted();
          return result;
        });
      } catch (error) {
        throw signal?.aborted ? signal.reason : error;
      }
    },
    async listen(channel, handler) {
      const unlisten = await db.listen(channel, handler);
      return () => unlisten();
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await db.close();
      } finally {
        await lock?.release();
      }
    },
  };
}

async function run(
  executor: PGlite | Transaction,
  statement: string,
  params?: readonly unknown[],
): Promise<QueryResult> {
  try {
    const result = await executor.query<Record<string, unknown>>(statement, params as unknown[] | undefined);
    // Like pg's rowCount: rows returned by a statement that returns rows, else rows changed.
    const rowCount = result.fields.length > 0 ? result.rows.length : (result.affectedRows ?? 0);
    return { rows: result.rows, rowCount };
  } catch (error) {
    throw sqlErrorFor(statement, error);
  }
}

async function execScript(executor: PGlite | Transaction, script: string): Promise<void> {
  try {
    await executor.exec(script);
  } catch (error) {
    throw sqlErrorFor(script, error);
  }
}

class PgliteTransaction implements SqlTransaction {
  readonly #tx: Transaction;
  readonly #signal: AbortSignal | undefined;
  #savepoints = 0;

  constructor(tx: Transaction, signal: AbortSignal | undefined) {
    this.#tx = tx;
    this.#signal = signal;
  }

  // Once the transaction was aborted, it will roll back: further statements would only be wasted.
  async query(statement: string, params?: readonly unknown[]): Promise<QueryResult> {
    this.#signal?.throwIfAborted();
    return run(this.#tx, statement, params);
  }

  async exec(script: string): Promise<void> {
    this.#signal?.throwIfAborted();
    return execScript(this.#tx, script);
  }

  savepoint<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return withSavepoint(this, `yard_sp_${++this.#savepoints}`, work);
  }
}
