import { column, qualified, type Row, type SqlExecutor } from '@switchyard/postgres';
import type { Posting } from './contracts.ts';
import type { BookedPosting } from './core-ledger.ts';

/** Where a client reference stands in booking's journal. */
export type JournalState = 'new' | 'not-sent' | 'sending' | 'in-doubt' | 'booked' | 'rejected';

export interface JournalEntry {
  readonly clientRef: string;
  readonly tradeId: string;
  readonly allocationId: string;
  readonly state: JournalState;
  readonly attempts: number;
  readonly enquiries: number;
  readonly lastSentAt: Date | null;
  readonly claimedUntil: Date | null;
  readonly sequence: number | null;
  readonly businessDate: string | null;
  readonly rejection: string | null;
}

/** What to do with a posting now, as the journal decides it (and claims the reference for it). */
export type NextStep =
  | { readonly kind: 'booked'; readonly sequence: number; readonly businessDate: string }
  | { readonly kind: 'rejected'; readonly reason: string }
  /** Another handler holds it, or it was sent too recently to enquire about: try again at `at`. */
  | { readonly kind: 'later'; readonly at: number }
  /** Never sent, or certainly not booked: the reference is claimed and marked sending; send it. */
  | { readonly kind: 'send' }
  /** It may have been booked: the reference is claimed; enquire before anything else. */
  | { readonly kind: 'enquire' };

const columns = `client_ref, trade_id, allocation_id, state, attempts, enquiries, last_sent_at, claimed_until,
  core_sequence, to_char(business_date, 'YYYY-MM-DD') as business_date, rejection`;

/**
 * Booking's journal, one row per client reference. Every change is a short transaction of its own, and
 * `sending` is committed before the posting leaves for the core: a process killed while the core books
 * it leaves a row that says "may be booked", and the next attempt enquires instead of sending.
 */
export class PostingJournal {
  readonly #table: string;

  constructor(schema: string) {
    this.#table = qualified(schema, 'posting_journal');
  }

  /**
   * Decides the next step for `posting` at `now`, in `tx`, and claims the reference for `claimMs` when
   * the step is to send or to enquire. A posting is enquired about only `inDoubtMs` after it was sent.
   */
  async nextStep(
    tx: SqlExecutor,
    tradeId: string,
    posting: Posting,
    now: number,
    timing: { readonly inDoubtMs: number; readonly claimMs: number },
  ): Promise<NextStep> {
    await tx.query(
      `insert into ${this.#table} (client_ref, trade_id, allocation_id, posting, state)
       values ($1, $2, $3, $4, 'new') on conflict (client_ref) do nothing`,
      [posting.clientRef, tradeId, posting.allocationId, JSON.stringify(posting)],
    );
    const { rows } = await tx.query(
      `select ${columns} from ${this.#table} where client_ref = $1 for update`,
      [posting.clientRef],
    );
    const entry = entryOf(rows[0] as Row);
    if (entry.state === 'booked' && entry.sequence !== null && entry.businessDate !== null) {
      return { kind: 'booked', sequence: entry.sequence, businessDate: entry.businessDate };
    }
    if (entry.state === 'rejected')
      return { kind: 'rejected', reason: entry.rejection ?? 'refused by the core' };
    const claimed = entry.claimedUntil?.getTime() ?? 0;
    if (claimed > now) return { kind: 'later', at: claimed };
    if (entry.state === 'sending' || entry.state === 'in-doubt') {
      const enquireFrom = (entry.lastSentAt?.getTime() ?? 0) + timing.inDoubtMs;
      if (now < enquireFrom) return { kind: 'later', at: enquireFrom };
      await this.#claim(tx, posting.clientRef, now + timing.claimMs);
      return { kind: 'enquire' };
    }
    await this.markSending(tx, posting.clientRef, now, now + timing.claimMs);
    return { kind: 'send' };
  }

  /** The posting is about to leave for the core (commit this before sending it). */
  async markSending(tx: SqlExecutor, clientRef: string, now: number, claimedUntil: number): Promise<void> {
    await this.#set(
      tx,
      clientRef,
      `state = 'sending', attempts = attempts + 1, last_sent_at = $2, claimed_until = $3`,
      [new Date(now), new Date(claimedUntil)],
    );
  }

  async markInDoubt(db: SqlExecutor, clientRef: string): Promise<void> {
    await this.#set(db, clientRef, `state = 'in-doubt', claimed_until = null`, []);
  }

  async markNotSent(db: SqlExecutor, clientRef: string): Promise<void> {
    await this.#set(db, clientRef, `state = 'not-sent', claimed_until = null`, []);
  }

  async markBooked(db: SqlExecutor, clientRef: string, booked: BookedPosting): Promise<void> {
    await this.#set(
      db,
      clientRef,
      `state = 'booked', core_sequence = $2, business_date = $3, rejection = null, claimed_until = null`,
      [booked.sequence, booked.businessDate],
    );
  }

  async markRejected(db: SqlExecutor, clientRef: string, reason: string): Promise<void> {
    await this.#set(db, clientRef, `state = 'rejected', rejection = $2, claimed_until = null`, [reason]);
  }

  /** An enquiry was made; `released` ends the claim (the enquiry failed, nothing else follows now). */
  async countEnquiry(db: SqlExecutor, clientRef: string, released: boolean): Promise<void> {
    await this.#set(
      db,
      clientRef,
      `enquiries = enquiries + 1${released ? ', claimed_until = null' : ''}`,
      [],
    );
  }

  async #claim(tx: SqlExecutor, clientRef: string, until: number): Promise<void> {
    await this.#set(tx, clientRef, 'claimed_until = $2', [new Date(until)]);
  }

  async #set(
    db: SqlExecutor,
    clientRef: string,
    assignments: string,
    values: readonly unknown[],
  ): Promise<void> {
    await db.query(`update ${this.#table} set ${assignments}, updated_at = now() where client_ref = $1`, [
      clientRef,
      ...values,
    ]);
  }
}

function entryOf(row: Row): JournalEntry {
  return {
    clientRef: column.text(row, 'client_ref'),
    tradeId: column.text(row, 'trade_id'),
    allocationId: column.text(row, 'allocation_id'),
    state: column.text(row, 'state') as JournalState,
    attempts: column.integer(row, 'attempts'),
    enquiries: column.integer(row, 'enquiries'),
    lastSentAt: column.optionalTimestamp(row, 'last_sent_at') ?? null,
    claimedUntil: column.optionalTimestamp(row, 'claimed_until') ?? null,
    sequence: column.optionalInteger(row, 'core_sequence') ?? null,
    businessDate: column.optionalText(row, 'business_date') ?? null,
    rejection: column.optionalText(row, 'rejection') ?? null,
  };
}
