import type { Inbox } from '@switchyard/bus';
import { defaultSchema } from '../migrations/switchyard-migrations.ts';
import { qualified } from '../sql/identifiers.ts';
import type { SqlClient, SqlTransaction } from '../sql/sql-client.ts';

/** Options for the PostgreSQL inbox. */
export interface PostgresInboxOptions {
  /** The schema Switchyard's migrations were applied to (default `switchyard`). */
  readonly schema?: string;
  /** The clock records are stamped from (tests move it by hand). */
  readonly now?: () => number;
}

/**
 * The inbox in PostgreSQL: one row per consumer and message, inserted in the consumer's transaction.
 * The primary key does the work: a second insert of a committed row does nothing (a duplicate), and
 * one racing an uncommitted row waits for that transaction to commit or roll back.
 */
export class PostgresInbox implements Inbox<SqlTransaction> {
  readonly #client: SqlClient;
  readonly #now: () => number;
  readonly #table: string;
  /** Built once: every handled message runs it, and prepared statements are looked up by their text. */
  readonly #recordStatement: string;

  constructor(client: SqlClient, options: PostgresInboxOptions = {}) {
    this.#client = client;
    this.#now = options.now ?? Date.now;
    this.#table = qualified(options.schema ?? defaultSchema, 'yard_inbox');
    this.#recordStatement = `insert into ${this.#table} (consumer, message_id, recorded_at) values ($1, $2, $3)
       on conflict (consumer, message_id) do nothing`;
  }

  async tryRecord(tx: SqlTransaction, consumer: string, messageId: string): Promise<boolean> {
    const { rowCount } = await tx.query(this.#recordStatement, [consumer, messageId, new Date(this.#now())]);
    return rowCount === 1;
  }

  async removeOlderThan(before: Date): Promise<number> {
    const { rowCount } = await this.#client.query(`delete from ${this.#table} where recorded_at < $1`, [
      before,
    ]);
    return rowCount;
  }
}
