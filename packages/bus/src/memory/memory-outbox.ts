import { uuidv7 } from '../envelope/uuidv7.ts';
import type { Outbox, OutboxEntry, OutgoingMessage } from '../ports/outbox.ts';
import { assertTransactionOf, type MemoryDatabase, type MemoryTransaction } from './memory-database.ts';

/** An entry as the outbox keeps it: the entry plus who may dispatch it, and whether anyone did. */
interface StoredEntry {
  readonly entry: OutboxEntry;
  /** Nobody else may claim the entry before this time (ms); a past time means it is free. */
  leaseUntil: number;
  delivered: boolean;
}

/** The transactional outbox on a `MemoryDatabase`: instances on one database compete like processes. */
export class MemoryOutbox implements Outbox<MemoryTransaction> {
  readonly #database: MemoryDatabase;
  /**
   * By id. Transactions commit one at a time and ids increase as they are made, so the map's insertion
   * order is the order entries were added: oldest first without sorting.
   */
  readonly #entries: Map<string, StoredEntry>;
  readonly #now: () => number;

  constructor(database: MemoryDatabase, options: { readonly now?: () => number } = {}) {
    this.#database = database;
    this.#entries = database.table('outbox', () => new Map<string, StoredEntry>());
    this.#now = options.now ?? Date.now;
  }

  async add(
    tx: MemoryTransaction,
    messages: readonly OutgoingMessage[],
    leaseMs: number,
  ): Promise<OutboxEntry[]> {
    assertTransactionOf(this.#database, tx, 'MemoryOutbox');
    assertDuration('leaseMs', leaseMs);
    const createdAt = this.#now();
    const entries: OutboxEntry[] = messages.map((message) => ({
      ...copyOutgoing(message),
      id: uuidv7(),
      createdAt: new Date(createdAt),
    }));
    tx.onCommit(() => {
      // The adder's lease counts from when others can see the entries, not from when it staged them.
      const leaseUntil = this.#now() + leaseMs;
      for (const entry of entries) this.#entries.set(entry.id, { entry, leaseUntil, delivered: false });
    });
    return entries.map(copyEntry);
  }

  async claim(limit: number, leaseMs: number): Promise<OutboxEntry[]> {
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
    for (const stored of claimed) stored.leaseUntil = now + leaseMs;
    return claimed.map((stored) => copyEntry(stored.entry));
  }

  async markDelivered(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const stored = this.#entries.get(id);
      if (stored) stored.delivered = true;
    }
  }

  async release(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const stored = this.#entries.get(id);
      if (stored && !stored.delivered) stored.leaseUntil = Number.NEGATIVE_INFINITY;
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
