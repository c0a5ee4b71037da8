import { createHash } from 'node:crypto';
import type { MessageOf } from '@switchyard/bus';
import type { Posting } from '../booking/contracts.ts';
import type {
  AllocationInstructed,
  Currency,
  SettlementInstructed,
  TradeAmended,
  TradeExecuted,
} from './contracts.ts';

/** Where one posting the trade wants stands. */
export type PostingStatus = 'wanted' | 'requested' | 'booked' | 'rejected';

export interface PostingRecord {
  readonly posting: Posting;
  status: PostingStatus;
  /** The client reference of the posting this one reverses; null for a booking. */
  readonly reverses: string | null;
  sequence: number | null;
  rejection: string | null;
}

export type ExceptionKind = 'incomplete' | 'inconsistent' | 'core-rejected' | 'booking-overdue';

/** What the trade saga keeps: the inputs as they came, and every posting it ever wanted. */
export interface TradeData {
  tradeId: string;
  /** The core account on the other side of every allocation's posting, fixed when the trade begins. */
  houseAccount: string;
  execution: {
    executionRef: string;
    instrument: string;
    side: 'buy' | 'sell';
    quantity: number;
    priceMinor: number;
    currency: Currency;
    tradeDate: string;
  } | null;
  /** The latest amendment's restated terms; null while there is none. */
  amendment: { version: number; quantity: number; priceMinor: number } | null;
  instructionId: string | null;
  /**
   * Every instruction id the trade has taken, so that a late copy of an instruction already replaced
   * does not put its allocations back (absent in trades saved before it was kept).
   */
  instructionsSeen?: string[];
  allocations: { allocationId: string; account: string; quantity: number }[];
  /** By allocation id. */
  settlements: Record<
    string,
    { settlementId: string; settlementDate: string; currency: Currency; custodianAccount: string }
  >;
  cancelled: { reason: string } | null;
  /** By client reference: every posting ever wanted, booked or reversed. */
  postings: Record<string, PostingRecord>;
  exception: { kind: ExceptionKind; detail: string } | null;
  /**
   * Bookings the core confirmed for references the trade has not planned (yet): answers are facts about
   * the core, kept whenever they come, so a posting already booked is never asked for.
   */
  confirmed: Record<string, number>;
  /** What was last announced (`booked:<version>`, `cancelled`), so an outcome is published once. */
  announced: string | null;
}

export function emptyTrade(houseAccount: string): TradeData {
  return {
    tradeId: '',
    houseAccount,
    execution: null,
    amendment: null,
    instructionId: null,
    instructionsSeen: [],
    allocations: [],
    settlements: {},
    cancelled: null,
    postings: {},
    exception: null,
    confirmed: {},
    announced: null,
  };
}

export function applyExecution(data: TradeData, message: MessageOf<typeof TradeExecuted>): void {
  data.tradeId = message.tradeId;
  // A second execution report of the same trade (a resend) changes nothing: amendments change trades.
  if (data.execution !== null) return;
  const { executionRef, instrument, side, quantity, priceMinor, currency, tradeDate } = message;
  data.execution = { executionRef, instrument, side, quantity, priceMinor, currency, tradeDate };
}

export function applyAllocation(data: TradeData, message: MessageOf<typeof AllocationInstructed>): void {
  data.tradeId = message.tradeId;
  const seen = data.instructionsSeen ?? (data.instructionId === null ? [] : [data.instructionId]);
  if (seen.includes(message.instructionId)) return;
  // A new instruction replaces the last: the desk re-allocates. What was booked under the old one is
  // reversed when the new one is booked (see planPostings).
  data.instructionsSeen = [...seen, message.instructionId];
  data.instructionId = message.instructionId;
  data.allocations = message.allocations.map(({ allocationId, account, quantity }) => ({
    allocationId,
    account,
    quantity,
  }));
}

export function applySettlement(data: TradeData, message: MessageOf<typeof SettlementInstructed>): void {
  const { settlementId, settlementDate, currency, custodianAccount } = message;
  // Kept in allocation id order, so the data is the same whatever order the instructions came in.
  data.settlements = Object.fromEntries(
    Object.entries({
      ...data.settlements,
      [message.allocationId]: { settlementId, settlementDate, currency, custodianAccount },
    }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/** Keeps an amendment newer than the latest one; an older or repeated one changes nothing. */
export function applyAmendment(data: TradeData, message: MessageOf<typeof TradeAmended>): void {
  data.tradeId = message.tradeId;
  if (message.version <= versionOf(data)) return;
  data.amendment = { version: message.version, quantity: message.quantity, priceMinor: message.priceMinor };
}

/** 1 for the execution as executed, else the latest amendment's number. */
export function versionOf(data: TradeData): number {
  return data.amendment?.version ?? 1;
}

/** The terms in force: the latest amendment's, else the execution's; null before the execution. */
export function termsOf(data: TradeData): { quantity: number; priceMinor: number } | null {
  if (data.execution === null) return null;
  return data.amendment ?? { quantity: data.execution.quantity, priceMinor: data.execution.priceMinor };
}

/** What is still missing before the trade can be booked, in words; empty when it is complete. */
export function missingParts(data: TradeData): string[] {
  const missing: string[] = [];
  if (data.execution === null) missing.push('the execution');
  if (data.instructionId === null) missing.push('the allocation instruction');
  const unsettled = data.allocations.filter((each) => !data.settlements[each.allocationId]);
  if (unsettled.length > 0) {
    missing.push(`settlement instructions for ${unsettled.map((each) => each.allocationId).join(', ')}`);
  }
  return missing;
}

/** Why the complete trade cannot be booked as it stands; empty when its parts agree. */
export function inconsistencies(data: TradeData): string[] {
  const problems: string[] = [];
  const execution = data.execution;
  const terms = termsOf(data);
  if (execution === null || terms === null) return problems;
  const allocated = data.allocations.reduce((sum, each) => sum + each.quantity, 0);
  if (allocated !== terms.quantity) {
    problems.push(
      `allocations add up to ${allocated}, the trade (version ${versionOf(data)}) is for ${terms.quantity}`,
    );
  }
  const ids = data.allocations.map((each) => each.allocationId);
  const repeated = ids.filter((id, index) => ids.indexOf(id) !== index);
  if (repeated.length > 0) problems.push(`allocation ids repeated: ${[...new Set(repeated)].join(', ')}`);
  for (const [allocationId, settlement] of Object.entries(data.settlements)) {
    if (!ids.includes(allocationId)) continue;
    if (settlement.currency !== execution.currency) {
      problems.push(
        `settlement ${settlement.settlementId} for ${allocationId} is in ${settlement.currency}, the trade in ${execution.currency}`,
      );
    }
  }
  const amount = terms.quantity * terms.priceMinor;
  if (!Number.isSafeInteger(amount))
    problems.push(`the amount ${terms.quantity} × ${terms.priceMinor} is too large`);
  return problems;
}

/**
 * A client reference for an intended posting: the same intent (trade, allocation, version, account,
 * amount) always gets the same reference, and any change gets another. 20 characters, as the core's
 * reference field holds.
 */
export function clientRefOf(parts: readonly (string | number)[], kind: 'B' | 'R'): string {
  return kind + createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 19).toUpperCase();
}

/** The postings the trade should have in the core as it stands: one per allocation, none when cancelled. */
export function intendedPostings(data: TradeData): Posting[] {
  const execution = data.execution;
  const terms = termsOf(data);
  if (data.cancelled !== null || execution === null || terms === null) return [];
  return data.allocations.map((allocation) => {
    const amountMinor = allocation.quantity * terms.priceMinor;
    const clearing = data.houseAccount;
    // A buyer pays: the client's account is debited; a seller is paid: credited.
    const [debitAccount, creditAccount] =
      execution.side === 'buy' ? [allocation.account, clearing] : [clearing, allocation.account];
    const settlement = data.settlements[allocation.allocationId];
    return {
      clientRef: clientRefOf(
        [data.tradeId, allocation.allocationId, versionOf(data), debitAccount, creditAccount, amountMinor],
        'B',
      ),
      allocationId: allocation.allocationId,
      debitAccount,
      creditAccount,
      amountMinor,
      currency: execution.currency,
      valueDate: settlement?.settlementDate ?? execution.tradeDate,
    };
  });
}

/** A cancelled trade, or a complete and consistent one: what it wants in the core can be decided. */
export function isDecided(data: TradeData): boolean {
  return data.cancelled !== null || (missingParts(data).length === 0 && inconsistencies(data).length === 0);
}

/**
 * Brings the postings the trade wants up to date, when it can be decided: a complete, consistent trade
 * (or a cancelled one) wants its intended postings and the reversal of every booking it no longer
 * intends. Answers the postings to ask booking for now (marked requested), none while the trade is
 * incomplete or inconsistent: what is booked then stays as it is until a person or a later input decides.
 */
export function planPostings(data: TradeData): Posting[] {
  if (!isDecided(data)) return [];
  const intended = intendedPostings(data);
  const intendedRefs = new Set(intended.map((each) => each.clientRef));
  for (const posting of intended) data.postings[posting.clientRef] ??= newRecord(data, posting, null);
  for (const [clientRef, record] of Object.entries(data.postings)) {
    if (record.reverses !== null || intendedRefs.has(clientRef) || record.status !== 'booked') continue;
    const reversal: Posting = {
      ...record.posting,
      clientRef: clientRefOf([clientRef], 'R'),
      debitAccount: record.posting.creditAccount,
      creditAccount: record.posting.debitAccount,
    };
    data.postings[reversal.clientRef] ??= newRecord(data, reversal, clientRef);
  }
  const toSend = Object.values(data.postings).filter((record) => record.status === 'wanted');
  for (const record of toSend) record.status = 'requested';
  return toSend.map((record) => record.posting);
}

/** A posting the trade now wants: booked already when the core confirmed its reference before it was planned. */
function newRecord(data: TradeData, posting: Posting, reverses: string | null): PostingRecord {
  const sequence = data.confirmed[posting.clientRef];
  return sequence === undefined
    ? { posting, status: 'wanted', reverses, sequence: null, rejection: null }
    : { posting, status: 'booked', reverses, sequence, rejection: null };
}

/** True when everything the trade wants is booked: each intended posting, and each needed reversal. */
export function isSettledInCore(data: TradeData): boolean {
  const intended = new Set(intendedPostings(data).map((each) => each.clientRef));
  return Object.entries(data.postings).every(([clientRef, record]) => {
    if (record.reverses !== null) return record.status === 'booked';
    const wanted = intended.has(clientRef);
    const reversed = Object.values(data.postings).some(
      (other) => other.reverses === clientRef && other.status === 'booked',
    );
    if (wanted) return record.status === 'booked';
    // No longer intended: settled once booked and reversed, or refused by the core. One still in flight
    // may yet be booked, and then needs its reversal: not settled.
    return record.status === 'rejected' || (record.status === 'booked' && reversed);
  });
}

/** Records booking's answer; one for a posting not planned yet is kept until it is. */
export function applyBooked(data: TradeData, clientRef: string, sequence: number): void {
  const record = data.postings[clientRef];
  if (!record) {
    data.confirmed[clientRef] = sequence;
    return;
  }
  record.status = 'booked';
  record.sequence = sequence;
  record.rejection = null;
}

export function applyRejected(data: TradeData, clientRef: string, reason: string): void {
  const record = data.postings[clientRef];
  if (!record || record.status === 'booked') return;
  record.status = 'rejected';
  record.rejection = reason;
}

/** Rejected postings the trade still wants: each needs a person (a corrected account, say). */
export function standingRejections(data: TradeData): PostingRecord[] {
  const intended = new Set(intendedPostings(data).map((each) => each.clientRef));
  return Object.entries(data.postings)
    .filter(
      ([clientRef, record]) =>
        record.status === 'rejected' && (intended.has(clientRef) || record.reverses !== null),
    )
    .map(([, record]) => record);
}

/** Asks booking again for whatever was requested and not answered (an operator's retry). */
export function requestAgain(data: TradeData): void {
  for (const record of Object.values(data.postings)) {
    if (record.status === 'requested' || record.status === 'rejected') record.status = 'wanted';
  }
}
