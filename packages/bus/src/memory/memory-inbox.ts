import { defaultInboxWindowMs, type Inbox, type InboxMessage, type InboxVerdict } from '../ports/inbox.ts';
import { assertTransactionOf, type MemoryDatabase, type MemoryTransaction } from './memory-database.ts';

/** Options for the in-memory inbox. */
export interface MemoryInboxOptions {
  /** The clock records are stamped from (tests move it by hand). */
  readonly now?: () => number;
  /** How long records are kept (default 7 days). */
  readonly windowMs?: number;
}

interface InboxRecord {
  readonly recordedAt: number;
  readonly fingerprint: string;
}

/** The inbox on a `MemoryDatabase`: instances on one database share their records. */
export class MemoryInbox implements Inbox<MemoryTransaction> {
  readonly windowMs: number;
  readonly #database: MemoryDatabase;
  /** Each consumer's record of each message, by `recordKey`. */
  readonly #records: Map<string, InboxRecord>;
  readonly #now: () => number;

  constructor(database: MemoryDatabase, options: MemoryInboxOptions = {}) {
    this.#database = database;
    this.#records = database.table('inbox', () => new Map<string, InboxRecord>());
    this.#now = options.now ?? Date.now;
    this.windowMs = options.windowMs ?? defaultInboxWindowMs;
  }

  async tryRecord(tx: MemoryTransaction, consumer: string, message: InboxMessage): Promise<InboxVerdict> {
    assertTransactionOf(this.#database, tx, 'MemoryInbox');
    const records = tx.stage(this.#records);
    const key = recordKey(consumer, message.messageId);
    const found = records.get(key);
    if (found) return found.fingerprint === message.fingerprint ? 'duplicate' : 'reused-id';
    records.set(key, { recordedAt: this.#now(), fingerprint: message.fingerprint });
    return 'recorded';
  }

  async removeOlderThan(before: Date): Promise<number> {
    const cutoff = before.getTime();
    let count = 0;
    for (const [key, record] of this.#records) {
      if (record.recordedAt < cutoff) {
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
