import type { BookedFields } from '../protocol/records.ts';

/** A posting the core booked: one debit leg and one credit leg of the same amount. */
export interface BookedPosting {
  /** The core's number for it, from 1 each business date. */
  readonly sequence: number;
  /** YYYY-MM-DD. */
  readonly businessDate: string;
  readonly clientReference: string;
  readonly debitAccount: string;
  readonly creditAccount: string;
  /** Minor units (pence, cents), a positive integer. */
  readonly amountMinor: number;
  readonly currency: string;
  /** YYYY-MM-DD. */
  readonly valueDate: string;
}

/** Debit and credit leg totals of one currency, summed leg by leg from the journal. */
export interface CurrencyTotals {
  readonly currency: string;
  readonly debits: bigint;
  readonly credits: bigint;
}

/** The whole ledger, for an auditor: every posting in booking order, and whether it balances. */
export interface LedgerAudit {
  readonly postings: readonly BookedPosting[];
  readonly totals: readonly CurrencyTotals[];
  /** Debits equal credits in every currency, and every posting has both its legs. */
  readonly balanced: boolean;
}

/** YYYYMMDD → YYYY-MM-DD. */
export function isoDate(compact: string): string {
  return `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}`;
}

/** YYYY-MM-DD → YYYYMMDD. */
export function compactDate(iso: string): string {
  return iso.replaceAll('-', '');
}

/** A booked record from the wire or the journal, in the form callers use. */
export function toBookedPosting(fields: BookedFields): BookedPosting {
  return {
    sequence: fields.sequence,
    businessDate: isoDate(fields.businessDate),
    clientReference: fields.clientReference,
    debitAccount: fields.debitAccount,
    creditAccount: fields.creditAccount,
    amountMinor: Number(fields.amount),
    currency: fields.currency,
    valueDate: isoDate(fields.valueDate),
  };
}
