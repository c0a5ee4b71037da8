import { type Outbox, type OutboxEntry, type OutgoingMessage, uuidv7 } from '@switchyard/bus';
import { defaultSchema } from '../migrations/switchyard-migrations.ts';
import { BatchedStatement } from '../sql/batched-statement.ts';
import { qualified } from '../sql/identifiers.ts';
import { notifyChannel } from '../sql/notify-channel.ts';
import { column } from '../sql/row-values.ts';
import type { SqlClient, SqlTransaction } from '../sql/sql-client.ts';
import { entryFromRow, outboxColumns } from './outbox-rows.ts';

/** Options for the PostgreSQL outbox. */
export interface PostgresOutboxOptions {
  /** The schema Switchyard's migrations were applied to (default `switchyard`). */
  readonly schema?: string;
  /** The clock leases and creation times are read from (tests move it by hand). */
  readonly now?: () => number;
}

/**
 * The transactional outbox in PostgreSQL. Entries are rows written in the handler's transaction;
 * claims lock candidate rows with SKIP LOCKED so concurrent sweepers never take the same entry, and
 * hold back any entry whose conversation has an earlier undelivered entry the claimer did not get.
 */
export class PostgresOutbox implements Outbox<SqlTransaction> {
  readonly #client: SqlClient;
  readonly #now: () => number;
  readonly #table: string;
  readonly #channel: string;
  readonly #deliveries: BatchedStatement<readonly string[]>;

  constructor(client: SqlClient, options: PostgresOutboxOptions = {}) {
    const schema = options.schema ?? defaultSchema;
    this.#client = client;
    this.#now = options.now ?? Date.now;
    this.#table = qualified(schema, 'yard_outbox');
    this.#channel = notifyChannel('yard_outbox_', schema);
    // Dispatchers mark each entry as the transport confirms it; concurrent marks share one statement.
    this.#deliveries = new BatchedStatement((batches) =>
      client
        .query(`update ${this.#table} set delivered_at = $2, lease_until = null where id = any($1::uuid[])`, [
          batches.flat(),
          new Date(this.#now()),
        ])
        .then(() => {}),
    );
  }

  async add(
    tx: SqlTransaction,
    messages: readonly OutgoingMessage[],
    leaseMs: number,
  ): Promise<OutboxEntry[]> {
    if (messages.length === 0) return [];
    const now = this.#now();
    const entries = messages.map((message) => ({ ...message, id: uuidv7(), createdAt: new Date(now) }));
    const [only] = entries;
    if (entries.length === 1 && only) {
      // Most handlers send one message: plain values plan and travel faster than arrays.
      await tx.query(
        `insert into ${this.#table}
           (id, kind, destination, message_id, correlation_id, content_type, body, headers, delay_ms,
            conversation_id, created_at, lease_until)
         values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12)`,
        [
          only.id,
          only.kind,
          only.destination,
          only.message.messageId,
          only.message.correlationId ?? null,
          only.message.contentType,
          Buffer.from(only.message.body),
          JSON.stringify(only.message.headers),
          only.delayMs ?? null,
          only.conversationId ?? null,
          new Date(now),
          new Date(now + leaseMs),
        ],
      );
      return entries.map(callerCopy);
    }
    // One statement for the whole batch: columns as arrays, unnested into rows.
    await tx.query(
      `insert into ${this.#table}
         (id, kind, destination, message_id, correlation_id, content_type, body, headers, delay_ms,
          conversation_id, created_at, lease_until)
       select id, kind, destination, message_id, correlation_id, content_type, body, headers, delay_ms,
              conversation_id, $11, $12
       from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[],
                   $8::jsonb[], $9::integer[], $10::text[])
         as batch (id, kind, destination, message_id, correlation_id, content_type, body, headers, delay_ms,
                   conversation_id)`,
      [
        entries.map((entry) => entry.id),
        entries.map((entry) => entry.kind),
        entries.map((entry) => entry.destination),
        entries.map((entry) => entry.message.messageId),
        entries.map((entry) => entry.message.correlationId ?? null),
        entries.map((entry) => entry.message.contentType),
        entries.map((entry) => Buffer.from(entry.message.body)),
        entries.map((entry) => JSON.stringify(entry.message.headers)),
        entries.map((entry) => entry.delayMs ?? null),
        entries.map((entry) => entry.conversationId ?? null),
        new Date(now),
        new Date(now + leaseMs),
      ],
    );
    return entries.map(callerCopy);
  }

  async claim(limit: number, leaseMs: number): Promise<OutboxEntry[]> {
    const now = this.#now();
    return this.#client.transaction(async (tx) => {
      const { rows: candidates } = await tx.query(
        `select id, conversation_id from ${this.#table}
         where delivered_at is null and (lease_until is null or lease_until <= $1)
         order by id
         limit $2
         for update skip locked`,
        [new Date(now), limit],
      );
      if (candidates.length === 0) return [];
      const ids = candidates.map((row) => column.text(row, 'id'));
      const conversations = [
        ...new Set(candidates.map((row) => column.optionalText(row, 'conversation_id')).filter((id) => id)),
      ];
      // Per conversation, the earliest undelivered entry this claim did not get (held by someone else,
      // skipped as locked, or cut off by the limit): nothing of that conversation after it may go now.
      const { rows: blockers } = await tx.query(
        `select conversation_id, min(id::text) as first_id from ${this.#table}
         where conversation_id = any($1::text[]) and delivered_at is null and id <> all($2::uuid[])
         group by conversation_id`,
        [conversations, ids],
      );
      const blockedAfter = new Map(
        blockers.map((row) => [column.text(row, 'conversation_id'), column.text(row, 'first_id')]),
      );
      const claimable = candidates
        .filter((row) => {
          const blocker = blockedAfter.get(column.optionalText(row, 'conversation_id') ?? '');
          return blocker === undefined || column.text(row, 'id') < blocker;
        })
        .map((row) => column.text(row, 'id'));
      if (claimable.length === 0) return [];
      const { rows } = await tx.query(
        `update ${this.#table} set lease_until = $2 where id = any($1::uuid[])
         returning ${outboxColumns}`,
        [claimable, new Date(now + leaseMs)],
      );
      return rows.map(entryFromRow).sort((a, b) => (a.id < b.id ? -1 : 1));
    });
  }

  async markDelivered(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#deliveries.add(ids);
  }

  async release(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    // Released entries are claimable now: wake every process's sweeper rather than wait for its poll.
    await this.#client.query(
      `with released as (
         update ${this.#table} set lease_until = null where id = any($1::uuid[]) and delivered_at is null
         returning id
       )
       select pg_notify($2, count(*)::text) from released having count(*) > 0`,
      [ids, this.#channel],
    );
  }

  /**
   * Calls `onRelease` whenever any process releases entries (a delivery failed), so a sweeper can
   * claim them at once; pair it with `OutboxDispatcher.wake`. Resolves to a function that stops.
   */
  subscribeToReleases(onRelease: () => void): Promise<() => Promise<void>> {
    return this.#client.listen(this.#channel, () => onRelease());
  }

  async removeDeliveredOlderThan(before: Date): Promise<number> {
    const { rowCount } = await this.#client.query(
      `delete from ${this.#table} where delivered_at is not null and created_at < $1`,
      [before],
    );
    return rowCount;
  }

  async pendingCount(): Promise<number> {
    const { rows } = await this.#client.query(
      `select count(*) as pending from ${this.#table} where delivered_at is null`,
    );
    return rows[0] ? column.integer(rows[0], 'pending') : 0;
  }
}

/** The caller gets its own copies: changing them must not change what was stored. */
function callerCopy(entry: OutboxEntry): OutboxEntry {
  return {
    ...entry,
    message: {
      ...entry.message,
      body: new Uint8Array(entry.message.body),
      headers: { ...entry.message.headers },
    },
    createdAt: new Date(entry.createdAt),
  };
}
