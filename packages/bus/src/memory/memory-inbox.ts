import type { Inbox } from '../ports/inbox.ts';
import { assertTransactionOf, type MemoryDatabase, type MemoryTransaction } from './memory-database.ts';

/** The inbox on a `MemoryDatabase`: instances on one database share their records. */
export class MemoryInbox implements Inbox<MemoryTransaction> {
  readonly #database: MemoryDatabase;
  /** When each consumer recorded each message, by `recordKey`. */
  readonly #records: Map<string, number>;
  readonly #now: () => number;

  constructor(database: MemoryDatabase, options: { readonly now?: () => number } = {}) {
    this.#database = database;
    this.#records = database.table('inbox', () => new Map<string, number>());
    this.#now = options.now ?? Date.now;
  }

  async tryRecord(tx: MemoryTransaction, consumer: string, messageId: string): Promise<boolean> {
    assertTransactionOf(this.#database, tx, 'MemoryInbox');
    const records = tx.stage(this.#records);
    const key = recordKey(consumer, messageId);
    if (records.has(key)) return false;
    records.set(key, this.#now());
    return true;
  }

  async removeOlderThan(before: Date): Promise<number> {
    const cutoff = before.getTime();
    let count = 0;
    for (const [key, recordedAt] of this.#records) {
      if (recordedAt < cutoff) {
        this.#records.delete(key);
        count += 1;
      }
    }
    return count;
  }
}

// JSON keeps the two parts apart whatever characters a consumer name holds.
function recordKey(consumer: string, messageId: string): string {
  return JSON.stringify([consumer, messageId]);
}
