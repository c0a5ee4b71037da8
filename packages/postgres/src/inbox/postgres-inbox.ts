import { defaultInboxWindowMs, type Inbox, type InboxMessage, type InboxVerdict } from '@switchyard/bus';
import { defaultSchema } from '../migrations/switchyard-migrations.ts';
import { qualified } from '../sql/identifiers.ts';
import type { SqlClient, SqlTransaction } from '../sql/sql-client.ts';

/** Options for the PostgreSQL inbox. */
export interface PostgresInboxOptions {
  /** The schema Switchyard's migrations were applied to (default `switchyard`). */
  readonly schema?: string;
  /** The clock records are stamped from (tests move it by hand). */
  readonly now?: () => number;
  /**
   * How long records are kept, and so how late a duplicate can arrive and still be found (default 7
   * days). Keep it longer than any message can take to come back: redelivery delays, an outage of a
   * sender's outbox, an error queue retried by hand.
   */
  readonly windowMs?: number;
}

/**
 * The inbox in PostgreSQL: one row per consumer and message, inserted in the consumer's transaction.
 * The primary key does the work: a second insert of a committed row does nothing (a duplicate, or a
 * reused id when the fingerprints differ), and one racing an uncommitted row waits for that
 * transaction to commit or roll back.
 */
export class PostgresInbox implements Inbox<SqlTransaction> {
  readonly windowMs: number;
  readonly #client: SqlClient;
  readonly #now: () => number;
  readonly #table: string;
  /** Built once: every handled message runs it, and prepared statements are looked up by their text. */
  readonly #recordStatement: string;
  readonly #fingerprintStatement: string;

  constructor(client: SqlClient, options: PostgresInboxOptions = {}) {
    this.#client = client;
    this.#now = options.now ?? Date.now;
    this.windowMs = options.windowMs ?? defaultInboxWindowMs;
    this.#table = qualified(options.schema ?? defaultSchema, 'yard_inbox');
    this.#recordStatement = `insert into ${this.#table} (consumer, message_id, recorded_at, fingerprint)
       values ($1, $2, $3, $4)
       on conflict (consumer, message_id) do nothing`;
    this.#fingerprintStatement = `select fingerprint from ${this.#table} where consumer = $1 and message_id = $2`;
  }

  async tryRecord(tx: SqlTransaction, consumer: string, message: InboxMessage): Promise<InboxVerdict> {
    const { rowCount } = await tx.query(this.#recordStatement, [
      consumer,
      message.messageId,
      new Date(this.#now()),
      message.fingerprint,
    ]);
    if (rowCount === 1) return 'recorded';
    // Only a duplicate pays for the second round trip; the insert above serves the common case alone.
    const { rows } = await tx.query(this.#fingerprintStatement, [consumer, message.messageId]);
    const stored = rows[0]?.fingerprint;
    // A record from before fingerprints were kept cannot tell the two apart: treat it as the same message.
    return typeof stored !== 'string' || stored === message.fingerprint ? 'duplicate' : 'reused-id';
  }

  async removeOlderThan(before: Date): Promise<number> {
    const { rowCount } = await this.#client.query(`delete from ${this.#table} where recorded_at < $1`, [
      before,
    ]);
    return rowCount;
  }
}
