import { randomUUID } from 'node:crypto';
import { uuidv7 } from '../envelope/uuidv7.ts';
import type { AddedEntries, Outbox, OutboxEntry, OutboxLease, OutgoingMessage } from '../ports/outbox.ts';
import { assertTransactionOf, type MemoryDatabase, type MemoryTransaction } from './memory-database.ts';

/** An entry as the outbox keeps it: the entry plus who may dispatch it, and whether anyone did. */
interface StoredEntry {
  readonly entry: OutboxEntry;
  /** Nobody else may claim the entry before this time (ms); a past time means it is free. */
  leaseUntil: number;
  /** The token of the add or claim that holds (or last held) the lease; none once released. */
  owner: string | undefined;
  delivered: boolean;
}

/**
 * The transactional outbox on a `MemoryDatabase`: instances on one database compete like processes.
 * They live in one process, so leases read that process's clock (`now`, for tests: give every instance
 * on a database the same one).
 */
export class MemoryOutbox implements Outbox<MemoryTransaction> {
  readonly #database: MemoryDatabase;
  /**
   * By id. Transactions commit one at a time and ids increase as they are made, so the map's insertion
   * order is the order entries were added: oldest first without sorting.
   */
  readonly #entries: Map<string, StoredEntry>;
  /** Undelivered entries per conversation, so an add need not scan every entry to hold one back. */
  readonly #undelivered: Map<string, number>;
  readonly #now: () => number;

  constructor(database: MemoryDatabase, options: { readonly now?: () => number } = {}) {
    this.#database = database;
    this.#entries = database.table('outbox', () => new Map<string, StoredEntry>());
    this.#undelivered = database.table('outbox-undelivered', () => new Map<string, number>());
    this.#now = options.now ?? Date.now;
  }

  async add(
    tx: MemoryTransaction,
    messages: readonly OutgoingMessage[],
    leaseMs: number,
  ): Promise<AddedEntries> {
    assertTransactionOf(this.#database, tx, 'MemoryOutbox');
    assertDuration('leaseMs', leaseMs);
    const createdAt = this.#now();
    const owner = randomUUID();
    const entries: OutboxEntry[] = messages.map((message) => ({
      ...copyOutgoing(message),
      id: uuidv7(),
      createdAt: new Date(createdAt),
    }));
    // Decided when added, against what others committed, as a database decides it in its insert.
    const held = new Set(
      entries.filter((entry) => this.#hasEarlierUndelivered(entry)).map((entry) => entry.id),
    );
    tx.onCommit(() => {
      // The adder's lease counts from when others can see the entries, not from when it staged them.
      const leaseUntil = this.#now() + leaseMs;
      for (const entry of entries) {
        const heldBack = held.has(entry.id);
        this.#entries.set(entry.id, {
          entry,
          leaseUntil: heldBack ? Number.NEGATIVE_INFINITY : leaseUntil,
          owner: heldBack ? undefined : owner,
          delivered: false,
        });
        this.#countUndelivered(entry.conversationId, 1);
      }
    });
    return {
      owner,
      entries: entries.filter((entry) => !held.has(entry.id)).map(copyEntry),
      heldBack: entries.filter((entry) => held.has(entry.id)).map(copyEntry),
    };
  }

  #hasEarlierUndelivered(entry: OutboxEntry): boolean {
    // Every committed entry is older than one being added now, or committed while it was staged: holding
    // back behind the latter is only slower, never out of order, since the sweeper claims oldest first.
    return entry.conversationId !== undefined && (this.#undelivered.get(entry.conversationId) ?? 0) > 0;
  }

  #countUndelivered(conversationId: string | undefined, change: number): void {
    if (conversationId === undefined) return;
    const count = (this.#undelivered.get(conversationId) ?? 0) + change;
    if (count > 0) this.#undelivered.set(conversationId, count);
    else this.#undelivered.delete(conversationId);
  }

  async claim(limit: number, leaseMs: number): Promise<OutboxLease> {
    if (!Number.isInteger(limit) || limit < 0) {
      throw new RangeError(`Outbox claim limit must be a whole number of at least 0, not ${limit}`);
    }
    assertDuration('leaseMs', leaseMs);
    const now = this.#now();
    const claimed: StoredEntry[] = [];
    // Conversations with an earlier entry that is neither delivered nor claimed here: their later entries wait.
    const blocked = new Set<string>();
    for (const stored of this.#entries.values()) {
      if (claimed.length >= limit) break;
      if (stored.delivered) continue;
      const conversation = stored.entry.conversationId;
      if (conversation !== undefined && blocked.has(conversation)) continue;
      if (stored.leaseUntil <= now) claimed.push(stored);
      else if (conversation !== undefined) blocked.add(conversation);
    }
    const owner = randomUUID();
    for (const stored of claimed) {
      stored.leaseUntil = now + leaseMs;
      stored.owner = owner;
    }
    return { owner, entries: claimed.map((stored) => copyEntry(stored.entry)) };
  }

  async renew(owner: string, ids: readonly string[], leaseMs: number): Promise<string[]> {
    assertDuration('leaseMs', leaseMs);
    const leaseUntil = this.#now() + leaseMs;
    const held: string[] = [];
    for (const id of ids) {
      const stored = this.#entries.get(id);
      if (!stored || stored.owner !== owner) continue;
      stored.leaseUntil = leaseUntil;
      held.push(id);
    }
    return held;
  }

  async markDelivered(owner: string, ids: readonly string[]): Promise<boolean> {
    let stillHeld = true;
    for (const id of ids) {
      const stored = this.#entries.get(id);
      if (!stored) continue;
      if (stored.owner !== owner) stillHeld = false;
      if (!stored.delivered) this.#countUndelivered(stored.entry.conversationId, -1);
      stored.delivered = true;
    }
    return stillHeld;
  }

  async release(owner: string, ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const stored = this.#entries.get(id);
      if (stored && !stored.delivered && stored.owner === owner) {
        stored.leaseUntil = Number.NEGATIVE_INFINITY;
        stored.owner = undefined;
      }
    }
  }

  async removeDeliveredOlderThan(before: Date): Promise<number> {
    const cutoff = before.getTime();
    let count = 0;
    for (const [id, stored] of this.#entries) {
      if (stored.delivered && stored.entry.createdAt.getTime() < cutoff) {
        this.#entries.delete(id);
        count += 1;
      }
    }
    return count;
  }

  async pendingCount(): Promise<number> {
    let count = 0;
    for (const stored of this.#entries.values()) if (!stored.delivered) count += 1;
    return count;
  }
}

/** A copy of `outgoing` sharing nothing mutable with it. */
export function copyOutgoing<T extends OutgoingMessage>(outgoing: T): T {
  const { message } = outgoing;
  // Not structuredClone: a Buffer's bytes often sit in a shared pool, which it would copy whole.
  return {
    ...outgoing,
    message: { ...message, headers: { ...message.headers }, body: new Uint8Array(message.body) },
  };
}

function copyEntry(entry: OutboxEntry): OutboxEntry {
  return { ...copyOutgoing(entry), createdAt: new Date(entry.createdAt) };
}

function assertDuration(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(
      `Outbox ${name} must be a finite number of milliseconds of at least 0, not ${value}`,
    );
  }
}
