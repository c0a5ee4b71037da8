import { randomUUID } from 'node:crypto';
import {
  type AddedEntries,
  type Outbox,
  type OutboxEntry,
  type OutboxLease,
  type OutgoingMessage,
  uuidv7,
} from '@switchyard/bus';
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
  /**
   * A clock for tests, which move it by hand; give every outbox on the schema the same one. Without
   * it, creation times come from this process and every lease time from the database server
   * (`clock_timestamp()`), so processes whose clocks disagree still agree on when a lease runs out.
   */
  readonly now?: () => number;
}

/** One caller's `markDelivered`, and what the shared statement found for it. */
interface DeliveryMark {
  readonly owner: string;
  readonly ids: readonly string[];
  stillHeld: boolean;
}

/**
 * The transactional outbox in PostgreSQL. Entries are rows written in the handler's transaction;
 * claims lock candidate rows with SKIP LOCKED so concurrent sweepers never take the same entry, and
 * hold back any entry whose conversation has an earlier undelivered entry the claimer did not get.
 * Each lease has an owner token (`lease_owner`); renewals and releases only touch the caller's own.
 */
export class PostgresOutbox implements Outbox<SqlTransaction> {
  readonly #client: SqlClient;
  readonly #now: () => number;
  /** The time leases are measured from: null tells the SQL to read the database's clock. */
  readonly #leaseClock: () => Date | null;
  readonly #table: string;
  readonly #channel: string;
  readonly #deliveries: BatchedStatement<DeliveryMark>;

  constructor(client: SqlClient, options: PostgresOutboxOptions = {}) {
    const schema = options.schema ?? defaultSchema;
    const testClock = options.now;
    this.#client = client;
    this.#now = testClock ?? Date.now;
    this.#leaseClock = testClock ? () => new Date(testClock()) : () => null;
    this.#table = qualified(schema, 'yard_outbox');
    this.#channel = notifyChannel('yard_outbox_', schema);
    // Dispatchers mark each entry as the transport confirms it; concurrent marks share one statement.
    // The send happened, so the entry is marked whoever holds it now; the answer tells its sender.
    this.#deliveries = new BatchedStatement(async (marks) => {
      const ids = marks.flatMap((mark) => mark.ids);
      const owners = marks.flatMap((mark) => mark.ids.map(() => mark.owner));
      const { rows } = await client.query(
        `update ${this.#table} as o
         set delivered_at = coalesce(o.delivered_at, coalesce($3::timestamptz, clock_timestamp())),
             lease_until = null
         from unnest($1::uuid[], $2::uuid[]) as m (id, owner)
         where o.id = m.id
         returning o.id, m.owner, o.lease_owner is not distinct from m.owner as held`,
        [ids, owners, this.#leaseClock()],
      );
      const lost = new Set(
        rows
          .filter((row) => !column.boolean(row, 'held'))
          .map((row) => `${column.text(row, 'owner')}/${column.text(row, 'id')}`),
      );
      // Two marks of one id in one statement update the row once and return one row: the other mark
      // keeps `stillHeld`, which at worst lets a late holder send one more entry (at least once).
      for (const mark of marks) {
        mark.stillHeld = !mark.ids.some((id) => lost.has(`${mark.owner}/${id}`));
      }
    });
  }

  async add(
    tx: SqlTransaction,
    messages: readonly OutgoingMessage[],
    leaseMs: number,
  ): Promise<AddedEntries> {
    const owner = randomUUID();
    if (messages.length === 0) return { owner, entries: [], heldBack: [] };
    const now = this.#now();
    const entries = messages.map((message) => ({ ...message, id: uuidv7(), createdAt: new Date(now) }));
    // An entry whose conversation has an earlier undelivered entry is stored without a lease, for the
    // sweeper: decided in the insert itself, so the common case costs no extra round trip.
    const heldBackAndLease = `case when held.earlier then null
              else coalesce($12::timestamptz, clock_timestamp()) + $13::double precision * interval '1 millisecond' end,
            case when held.earlier then null else $14::uuid end`;
    const earlier = (alias: string) =>
      `cross join lateral (
         select exists (
           select 1 from ${this.#table} as o
           where o.conversation_id = ${alias}.conversation_id and o.delivered_at is null and o.id < ${alias}.id
         ) as earlier
       ) as held`;
    const [only] = entries;
    const { rows } =
      entries.length === 1 && only
        ? // Most handlers send one message: plain values plan and travel faster than arrays.
          await tx.query(
            `insert into ${this.#table}
               (id, kind, destination, message_id, correlation_id, content_type, body, headers, delay_ms,
                conversation_id, created_at, lease_until, lease_owner)
             select one.id, $2::text, $3::text, $4::text, $5::text, $6::text, $7::bytea, $8::jsonb, $9::integer,
                    one.conversation_id, $11::timestamptz, ${heldBackAndLease}
             from (select $1::uuid as id, $10::text as conversation_id) as one
             ${earlier('one')}
             returning id, lease_owner is null as held_back`,
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
              this.#leaseClock(),
              leaseMs,
              owner,
            ],
          )
        : // One statement for the whole batch: columns as arrays, unnested into rows.
          await tx.query(
            `insert into ${this.#table}
               (id, kind, destination, message_id, correlation_id, content_type, body, headers, delay_ms,
                conversation_id, created_at, lease_until, lease_owner)
             select batch.id, kind, destination, message_id, correlation_id, content_type, body, headers,
                    delay_ms, batch.conversation_id, $11::timestamptz, ${heldBackAndLease}
             from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[],
                         $8::jsonb[], $9::integer[], $10::text[])
               as batch (id, kind, destination, message_id, correlation_id, content_type, body, headers,
                         delay_ms, conversation_id)
             ${earlier('batch')}
             returning id, lease_owner is null as held_back`,
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
              this.#leaseClock(),
              leaseMs,
              owner,
            ],
          );
    // A later entry of a held-back one's conversation is held back too: the held-back one is earlier.
    const held = new Set(
      rows.filter((row) => column.boolean(row, 'held_back')).map((row) => column.text(row, 'id')),
    );
    return {
      owner,
      entries: entries.filter((entry) => !held.has(entry.id)).map(callerCopy),
      heldBack: entries.filter((entry) => held.has(entry.id)).map(callerCopy),
    };
  }

  async claim(limit: number, leaseMs: number): Promise<OutboxLease> {
    const owner = randomUUID();
    const at = this.#leaseClock();
    const entries = await this.#client.transaction(async (tx) => {
      const { rows: candidates } = await tx.query(
        `select id, conversation_id from ${this.#table}
         where delivered_at is null
           and (lease_until is null or lease_until <= coalesce($1::timestamptz, clock_timestamp()))
         order by id
         limit $2
         for update skip locked`,
        [at, limit],
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
        `update ${this.#table}
         set lease_until = coalesce($2::timestamptz, clock_timestamp()) + $3::double precision * interval '1 millisecond',
             lease_owner = $4
         where id = any($1::uuid[])
         returning ${outboxColumns}`,
        [claimable, at, leaseMs, owner],
      );
      return rows.map(entryFromRow).sort((a, b) => (a.id < b.id ? -1 : 1));
    });
    return { owner, entries };
  }

  async renew(owner: string, ids: readonly string[], leaseMs: number): Promise<string[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.#client.query(
      `update ${this.#table}
       set lease_until = coalesce($3::timestamptz, clock_timestamp()) + $4::double precision * interval '1 millisecond'
       where id = any($1::uuid[]) and lease_owner = $2
       returning id`,
      [ids, owner, this.#leaseClock(), leaseMs],
    );
    const held = new Set(rows.map((row) => column.text(row, 'id')));
    return ids.filter((id) => held.has(id));
  }

  async markDelivered(owner: string, ids: readonly string[]): Promise<boolean> {
    if (ids.length === 0) return true;
    const mark: DeliveryMark = { owner, ids, stillHeld: true };
    await this.#deliveries.add(mark);
    return mark.stillHeld;
  }

  async release(owner: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    // Released entries are claimable now: wake every process's sweeper rather than wait for its poll.
    await this.#client.query(
      `with released as (
         update ${this.#table} set lease_until = null, lease_owner = null
         where id = any($1::uuid[]) and lease_owner = $2 and delivered_at is null
         returning id
       )
       select pg_notify($3, count(*)::text) from released having count(*) > 0`,
      [ids, owner, this.#channel],
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
