import {
  describeErrorQueueMessage,
  type ErrorQueueMessage,
  type ErrorQueueMessageNotMoved,
  type ErrorQueueRetryResult,
  type ErrorQueues,
  headersForRetry,
} from '@switchyard/bus';
import { transportMessageFromRow } from '../messages/message-rows.ts';
import { defaultSchema } from '../migrations/switchyard-migrations.ts';
import type { SqlClient } from '../sql/sql-client.ts';
import { type TransportTables, transportTables } from './transport-tables.ts';

/**
 * Error queue tooling for the PostgreSQL transport. A retry moves a message back to its source queue
 * with one UPDATE of its row, so an interrupted retry can neither lose nor duplicate it; consumers of
 * the source queue are woken by the transport's NOTIFY. A message whose source queue no longer exists
 * stays in the error queue and is reported as not moved.
 */
export class PostgresErrorQueues implements ErrorQueues {
  readonly #client: SqlClient;
  readonly #tables: TransportTables;

  constructor(client: SqlClient, options: { readonly schema?: string } = {}) {
    this.#client = client;
    this.#tables = transportTables(options.schema ?? defaultSchema);
  }

  async list(errorQueue: string, limit = 50): Promise<ErrorQueueMessage[]> {
    const { rows } = await this.#client.query(
      `select message_id, correlation_id, content_type, body, headers from ${this.#tables.messages}
       where queue = $1 order by id limit $2`,
      [errorQueue, limit],
    );
    return rows.map((row) => describeErrorQueueMessage(transportMessageFromRow(row), errorQueue));
  }

  async show(errorQueue: string, messageId: string): Promise<ErrorQueueMessage | undefined> {
    const { rows } = await this.#client.query(
      `select message_id, correlation_id, content_type, body, headers from ${this.#tables.messages}
       where queue = $1 and message_id = $2 order by id limit 1`,
      [errorQueue, messageId],
    );
    const row = rows[0];
    return row ? describeErrorQueueMessage(transportMessageFromRow(row), errorQueue) : undefined;
  }

  async retry(errorQueue: string, messageIds?: readonly string[]): Promise<ErrorQueueRetryResult> {
    return this.#client.transaction(async (tx) => {
      const { rows } = await tx.query(
        `select id, message_id, correlation_id, content_type, body, headers from ${this.#tables.messages}
         where queue = $1 and ($2::text[] is null or message_id = any($2)) order by id for update skip locked`,
        [errorQueue, messageIds ? [...messageIds] : null],
      );
      const messages = rows.map((row) => ({
        id: row.id,
        message: describeErrorQueueMessage(transportMessageFromRow(row), errorQueue),
      }));
      // A row moved to a queue with no yard_queues row would sit where no consumer and no tool looks.
      // The key-share lock holds off a removal of the queue until this transaction ends.
      const { rows: existing } = await tx.query(
        `select name from ${this.#tables.queues} where name = any($1::text[]) for key share`,
        [[...new Set(messages.map(({ message }) => message.sourceQueue))]],
      );
      const queues = new Set(existing.map((row) => String(row.name)));
      const reached = new Set<string>();
      const notMoved: ErrorQueueMessageNotMoved[] = [];
      for (const { id, message } of messages) {
        if (!queues.has(message.sourceQueue)) {
          notMoved.push({
            messageId: message.messageId,
            sourceQueue: message.sourceQueue,
            reason: `source queue "${message.sourceQueue}" does not exist`,
          });
          continue;
        }
        await tx.query(
          `update ${this.#tables.messages}
           set queue = $2, headers = $3, visible_at = now(), lease_until = null, lease_owner = null, delivery_count = 0
           where id = $1`,
          [id, message.sourceQueue, JSON.stringify(headersForRetry(message.headers))],
        );
        reached.add(message.sourceQueue);
      }
      for (const queue of reached) await tx.query('select pg_notify($1, $2)', [this.#tables.channel, queue]);
      return { moved: messages.length - notMoved.length, notMoved };
    });
  }

  async purge(errorQueue: string): Promise<number> {
    const { rowCount } = await this.#client.query(`delete from ${this.#tables.messages} where queue = $1`, [
      errorQueue,
    ]);
    return rowCount;
  }

  /** The client belongs to the caller, who closes it. */
  async close(): Promise<void> {}
}
