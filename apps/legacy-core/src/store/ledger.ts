import type { BookedFields, PostingFields } from '../protocol/records.ts';
import { Journal, type JournalContents, readJournal } from './journal.ts';
import { type LedgerAudit, toBookedPosting } from './ledger-model.ts';

/** Sums the journal's legs per currency: the auditor's proof, independent of how postings were paired. */
function auditOf(contents: Pick<JournalContents, 'postings' | 'legs'>): LedgerAudit {
  const totals = new Map<string, { debits: bigint; credits: bigint }>();
  for (const leg of contents.legs) {
    const total = totals.get(leg.currency) ?? { debits: 0n, credits: 0n };
    if (leg.side === 'D') total.debits += BigInt(leg.amount);
    else total.credits += BigInt(leg.amount);
    totals.set(leg.currency, total);
  }
  const currencyTotals = [...totals].map(([currency, total]) => ({ currency, ...total }));
  return {
    postings: contents.postings.map(toBookedPosting),
    totals: currencyTotals,
    balanced:
      contents.legs.length === contents.postings.length * 2 &&
      currencyTotals.every((total) => total.debits === total.credits),
  };
}

/** Reads a core's whole ledger from its journal file, e.g. for a test or an operator; safe while it runs. */
export function readLedger(journalPath: string): LedgerAudit {
  return auditOf(readJournal(journalPath));
}

/**
 * The ledger a running core keeps: the journal on disk, an index by client reference for enquiries,
 * and the next sequence number of each business date. Booking is synchronous, so two sessions never
 * draw the same sequence.
 */
export class Ledger {
  readonly #journal: Journal;
  readonly #contents: JournalContents;
  readonly #byReference = new Map<string, BookedFields[]>();
  readonly #lastSequence = new Map<string, number>();

  constructor(journalPath: string) {
    const { journal, contents } = Journal.open(journalPath);
    this.#journal = journal;
    this.#contents = contents;
    for (const posting of contents.postings) this.#index(posting);
  }

  get postingCount(): number {
    return this.#contents.postings.length;
  }

  book(posting: PostingFields, businessDate: string, now: Date): BookedFields {
    const sequence = (this.#lastSequence.get(businessDate) ?? 0) + 1;
    this.#journal.append(posting, businessDate, sequence, now);
    // Only the posting's own fields: the request object also carries its record type and message number.
    const booked: BookedFields = {
      sequence,
      businessDate,
      clientReference: posting.clientReference,
      debitAccount: posting.debitAccount,
      creditAccount: posting.creditAccount,
      amount: posting.amount,
      currency: posting.currency,
      valueDate: posting.valueDate,
    };
    this.#contents.postings.push(booked);
    const legBase = {
      businessDate,
      sequence,
      clientReference: posting.clientReference,
      amount: posting.amount,
      currency: posting.currency,
      valueDate: posting.valueDate,
    };
    this.#contents.legs.push(
      { ...legBase, side: 'D', account: posting.debitAccount, contraAccount: posting.creditAccount },
      { ...legBase, side: 'C', account: posting.creditAccount, contraAccount: posting.debitAccount },
    );
    this.#index(booked);
    return booked;
  }

  postingsFor(clientReference: string): readonly BookedFields[] {
    return this.#byReference.get(clientReference) ?? [];
  }

  allPostings(): readonly BookedFields[] {
    return this.#contents.postings;
  }

  audit(): LedgerAudit {
    return auditOf(this.#contents);
  }

  close(): void {
    this.#journal.close();
  }

  #index(posting: BookedFields): void {
    const list = this.#byReference.get(posting.clientReference) ?? [];
    list.push(posting);
    this.#byReference.set(posting.clientReference, list);
    this.#lastSequence.set(
      posting.businessDate,
      Math.max(this.#lastSequence.get(posting.businessDate) ?? 0, posting.sequence),
    );
  }
}
