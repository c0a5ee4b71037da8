import type { BookedPosting, LedgerAudit } from '@switchyard/legacy-core';
import { clientRefOf, type GeneratedTrade } from '../../src/index.ts';

/**
 * What the core's ledger must hold for a run of generated trades, worked out from the trades alone
 * (not from anything tradebook reports), and the ways a ledger falls short of it. It derives the client
 * references the way the issue states them: [tradeId, allocationId, version, debit, credit, amount], kind
 * 'B'; a reversal is the booking's reference, kind 'R', with the accounts swapped.
 */

/** One posting a trade may ask the core for, at one of its versions. */
export interface CandidatePosting {
  readonly tradeId: string;
  readonly clientRef: string;
  readonly debitAccount: string;
  readonly creditAccount: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly valueDate: string;
  /** True when the trade, as it finally stands, wants this posting in the core. */
  readonly wanted: boolean;
}

/** The version a trade ends at: 2 when amended, else 1. */
export function finalVersion(trade: GeneratedTrade): number {
  return trade.amended?.version ?? 1;
}

/** The bookings `trade` asks for at `version`, one per allocation, as the issue describes them. */
export function bookingsAt(trade: GeneratedTrade, version: number, houseAccount: string): CandidatePosting[] {
  const { executed } = trade;
  const priceMinor = version === 1 ? executed.priceMinor : (trade.amended?.priceMinor ?? executed.priceMinor);
  const wanted = trade.cancelled === undefined && version === finalVersion(trade);
  return trade.allocated.allocations.map((allocation) => {
    const amountMinor = allocation.quantity * priceMinor;
    const [debitAccount, creditAccount] =
      executed.side === 'buy' ? [allocation.account, houseAccount] : [houseAccount, allocation.account];
    const settlement = trade.settlements.find((each) => each.allocationId === allocation.allocationId);
    return {
      tradeId: trade.tradeId,
      clientRef: clientRefOf(
        [trade.tradeId, allocation.allocationId, version, debitAccount, creditAccount, amountMinor],
        'B',
      ),
      debitAccount,
      creditAccount,
      amountMinor,
      currency: executed.currency,
      valueDate: settlement?.settlementDate ?? executed.tradeDate,
      wanted,
    };
  });
}

/** The findings of one look at the ledger: empty `problems` means it is exactly what the trades want. */
export interface LedgerCheck {
  readonly problems: string[];
  readonly bookings: number;
  readonly reversals: number;
}

/** Net of an account in a currency: debits positive, credits negative. */
function addNet(net: Map<string, number>, account: string, currency: string, amount: number): void {
  const key = `${account} ${currency}`;
  const sum = (net.get(key) ?? 0) + amount;
  if (sum === 0) net.delete(key);
  else net.set(key, sum);
}

function sameTerms(booked: BookedPosting, expected: Omit<CandidatePosting, 'wanted' | 'tradeId'>): boolean {
  return (
    booked.debitAccount === expected.debitAccount &&
    booked.creditAccount === expected.creditAccount &&
    booked.amountMinor === expected.amountMinor &&
    booked.currency === expected.currency &&
    booked.valueDate === expected.valueDate
  );
}

function describePosting(posting: BookedPosting | undefined): string {
  if (!posting) return 'nothing';
  return `#${posting.sequence} ${posting.clientReference} ${posting.debitAccount}→${posting.creditAccount} ${posting.amountMinor} ${posting.currency} ${posting.valueDate}`;
}

/**
 * Checks `ledger` against `trades`: balanced; no reference twice; each allocation of each live trade's
 * final version booked once with the expected reference, accounts and amount; every other booking one a
 * trade asked for and no longer wants, reversed exactly once; no reversal without its booking; each
 * cancelled trade netting to zero; and each account's net per currency what the final trades want.
 */
export function checkLedger(
  trades: readonly GeneratedTrade[],
  ledger: LedgerAudit,
  houseAccount = '90000001',
): LedgerCheck {
  const problems: string[] = [];
  if (!ledger.balanced) problems.push('the ledger does not balance: debits differ from credits');

  const byRef = new Map<string, BookedPosting[]>();
  for (const posting of ledger.postings) {
    const list = byRef.get(posting.clientReference) ?? [];
    list.push(posting);
    byRef.set(posting.clientReference, list);
  }
  for (const [ref, postings] of byRef) {
    if (postings.length > 1)
      problems.push(`${ref} booked ${postings.length} times: ${postings.map(describePosting).join('; ')}`);
  }

  const candidates = new Map<string, CandidatePosting>();
  const reversalOf = new Map<string, CandidatePosting>();
  const expectedNet = new Map<string, number>();
  for (const trade of trades) {
    const versions = trade.amended ? [1, finalVersion(trade)] : [1];
    for (const version of versions) {
      for (const candidate of bookingsAt(trade, version, houseAccount)) {
        candidates.set(candidate.clientRef, candidate);
        reversalOf.set(clientRefOf([candidate.clientRef], 'R'), candidate);
        if (!candidate.wanted) continue;
        addNet(expectedNet, candidate.debitAccount, candidate.currency, candidate.amountMinor);
        addNet(expectedNet, candidate.creditAccount, candidate.currency, -candidate.amountMinor);
        const [booked, ...more] = byRef.get(candidate.clientRef) ?? [];
        if (!booked)
          problems.push(`${trade.tradeId}: ${candidate.clientRef} (version ${version}) not booked`);
        else if (more.length === 0 && !sameTerms(booked, candidate))
          problems.push(
            `${trade.tradeId}: ${candidate.clientRef} booked with other terms: ${describePosting(booked)}`,
          );
      }
    }
  }

  let bookings = 0;
  let reversals = 0;
  const netByTrade = new Map<string, Map<string, number>>();
  const ledgerNet = new Map<string, number>();
  for (const posting of ledger.postings) {
    addNet(ledgerNet, posting.debitAccount, posting.currency, posting.amountMinor);
    addNet(ledgerNet, posting.creditAccount, posting.currency, -posting.amountMinor);
    const ref = posting.clientReference;
    const booking = candidates.get(ref);
    const reversed = reversalOf.get(ref);
    const owner = booking ?? reversed;
    if (owner) {
      const net = netByTrade.get(owner.tradeId) ?? new Map<string, number>();
      addNet(net, posting.debitAccount, posting.currency, posting.amountMinor);
      addNet(net, posting.creditAccount, posting.currency, -posting.amountMinor);
      netByTrade.set(owner.tradeId, net);
    }
    if (booking) {
      bookings += 1;
      if (booking.wanted) continue;
      if (!sameTerms(posting, booking))
        problems.push(
          `${booking.tradeId}: ${ref} (no longer wanted) booked with other terms: ${describePosting(posting)}`,
        );
      const reversalRef = clientRefOf([ref], 'R');
      const found = byRef.get(reversalRef) ?? [];
      if (found.length !== 1)
        problems.push(
          `${booking.tradeId}: ${ref} is no longer wanted and has ${found.length} reversals (${reversalRef})`,
        );
    } else if (reversed) {
      reversals += 1;
      if ((byRef.get(reversed.clientRef) ?? []).length !== 1)
        problems.push(
          `${reversed.tradeId}: reversal ${ref} of ${reversed.clientRef}, which is not booked once`,
        );
      if (reversed.wanted)
        problems.push(
          `${reversed.tradeId}: reversal ${ref} of ${reversed.clientRef}, which the trade still wants`,
        );
      const swapped = {
        ...reversed,
        debitAccount: reversed.creditAccount,
        creditAccount: reversed.debitAccount,
      };
      if (!sameTerms(posting, swapped))
        problems.push(`${reversed.tradeId}: reversal with other terms: ${describePosting(posting)}`);
    } else {
      problems.push(`a posting no generated trade asks for: ${describePosting(posting)}`);
    }
  }

  for (const trade of trades) {
    if (!trade.cancelled) continue;
    const net = netByTrade.get(trade.tradeId);
    if (net && net.size > 0)
      problems.push(`${trade.tradeId} is cancelled and nets to ${JSON.stringify(Object.fromEntries(net))}`);
  }
  for (const key of new Set([...expectedNet.keys(), ...ledgerNet.keys()])) {
    const expected = expectedNet.get(key) ?? 0;
    const actual = ledgerNet.get(key) ?? 0;
    if (expected !== actual)
      problems.push(`net of ${key}: the trades want ${expected}, the ledger holds ${actual}`);
  }
  return { problems, bookings, reversals };
}
