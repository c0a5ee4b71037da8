import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyAllocation,
  applyAmendment,
  applyBooked,
  applyExecution,
  applyRejected,
  applySettlement,
  emptyTrade,
  inconsistencies,
  isSettledInCore,
  missingParts,
  planPostings,
  requestAgain,
  type TradeData,
} from '../../src/modules/trades/trade-state.ts';
import { tradeMessages } from './trade-fixtures.ts';

function completeTrade(): TradeData {
  const { executed, allocated, settlements } = tradeMessages();
  const data = emptyTrade('90000001');
  applyExecution(data, executed);
  applyAllocation(data, allocated);
  for (const settlement of settlements) applySettlement(data, settlement);
  return data;
}

describe('a trade’s state', () => {
  it('names what is missing until all three streams have arrived, in any order', () => {
    const { executed, allocated, settlements } = tradeMessages();
    const data = emptyTrade('90000001');
    assert.deepEqual(missingParts(data), ['the execution', 'the allocation instruction']);
    applySettlement(data, settlements[1] as (typeof settlements)[number]);
    applyAllocation(data, allocated);
    assert.deepEqual(missingParts(data), ['the execution', 'settlement instructions for T-1-A1']);
    applyExecution(data, executed);
    applySettlement(data, settlements[0] as (typeof settlements)[number]);
    assert.deepEqual(missingParts(data), []);
    assert.deepEqual(inconsistencies(data), []);
  });

  it('wants one posting per allocation, client account against clearing, and asks for each once', () => {
    const data = completeTrade();
    const first = planPostings(data);
    assert.deepEqual(
      first.map(({ allocationId, debitAccount, creditAccount, amountMinor, currency, valueDate }) => ({
        allocationId,
        debitAccount,
        creditAccount,
        amountMinor,
        currency,
        valueDate,
      })),
      [
        {
          allocationId: 'T-1-A1',
          debitAccount: '10000001',
          creditAccount: '90000001',
          amountMinor: 125_000,
          currency: 'GBP',
          valueDate: '2026-12-09',
        },
        {
          allocationId: 'T-1-A2',
          debitAccount: '10000002',
          creditAccount: '90000001',
          amountMinor: 250_000,
          currency: 'GBP',
          valueDate: '2026-12-09',
        },
      ],
    );
    for (const posting of first) assert.match(posting.clientRef, /^B[0-9A-F]{19}$/);
    assert.deepEqual(planPostings(data), [], 'asked already: nothing to ask again');
    assert.equal(isSettledInCore(data), false);
    for (const [index, posting] of first.entries()) applyBooked(data, posting.clientRef, index + 1);
    assert.equal(isSettledInCore(data), true);
  });

  it('refuses to book allocations that do not add up, or a settlement in another currency', () => {
    const data = completeTrade();
    applyAllocation(data, {
      ...tradeMessages().allocated,
      instructionId: 'I-2',
      allocations: [{ allocationId: 'T-1-A1', account: '10000001', quantity: 100 }],
    });
    applySettlement(data, {
      ...(tradeMessages().settlements[0] as ReturnType<typeof tradeMessages>['settlements'][number]),
      currency: 'USD',
    });
    assert.deepEqual(inconsistencies(data), [
      'allocations add up to 100, the trade (version 1) is for 300',
      'settlement S-T-1-A1 for T-1-A1 is in USD, the trade in GBP',
    ]);
    assert.deepEqual(planPostings(data), [], 'nothing is asked for an inconsistent trade');
  });

  it('keeps a re-allocation when a late copy of the instruction it replaced arrives', () => {
    const data = completeTrade();
    const original = tradeMessages().allocated;
    const repaired = {
      ...original,
      instructionId: 'I-2',
      allocations: [{ allocationId: 'T-1-A1', account: '10000003', quantity: 300 }],
    };
    applyAllocation(data, repaired);
    applyAllocation(data, original);
    assert.equal(data.instructionId, 'I-2');
    assert.deepEqual(data.allocations, repaired.allocations);
    // A trade saved before the list was kept still knows its current instruction.
    const older = completeTrade();
    delete older.instructionsSeen;
    applyAllocation(older, original);
    assert.equal(older.instructionId, original.instructionId);
    applyAllocation(older, repaired);
    applyAllocation(older, original);
    assert.equal(older.instructionId, 'I-2');
  });

  it('reverses what was booked when an amendment changes it, and books the new version, whatever order amendments come in', () => {
    const data = completeTrade();
    const v1 = planPostings(data);
    for (const [index, posting] of v1.entries()) applyBooked(data, posting.clientRef, index + 1);
    applyAmendment(data, { tradeId: 'T-1', version: 3, quantity: 300, priceMinor: 1_300 });
    applyAmendment(data, { tradeId: 'T-1', version: 2, quantity: 300, priceMinor: 1_260 });
    const second = planPostings(data);
    const reversals = second.filter((each) => each.clientRef.startsWith('R'));
    const bookings = second.filter((each) => each.clientRef.startsWith('B'));
    assert.equal(reversals.length, 2);
    // A reversal swaps the accounts of what it reverses, for the same amount.
    assert.deepEqual(
      reversals.map((each) => [each.debitAccount, each.creditAccount, each.amountMinor]).sort(),
      v1.map((each) => [each.creditAccount, each.debitAccount, each.amountMinor]).sort(),
    );
    assert.deepEqual(
      bookings.map((each) => each.amountMinor),
      [130_000, 260_000],
      'version 3 wins',
    );
    assert.equal(isSettledInCore(data), false);
    for (const [index, posting] of second.entries()) applyBooked(data, posting.clientRef, 10 + index);
    assert.equal(isSettledInCore(data), true);
  });

  it('reverses everything booked when cancelled, and waits for a posting still in flight to book before reversing it', () => {
    const data = completeTrade();
    const [first, second] = planPostings(data);
    assert.ok(first && second);
    applyBooked(data, first.clientRef, 1);
    data.cancelled = { reason: 'client withdrew' };
    const reversals = planPostings(data);
    assert.deepEqual(reversals.length, 1, 'only the booked one is reversed now');
    assert.equal(isSettledInCore(data), false, 'the second is still in flight');
    applyBooked(data, second.clientRef, 2);
    const late = planPostings(data);
    assert.equal(late.length, 1, 'the late booking is reversed too');
    for (const posting of [...reversals, ...late]) applyBooked(data, posting.clientRef, 3);
    assert.equal(isSettledInCore(data), true);
  });

  it('keeps a refused posting refused until a person asks again', () => {
    const data = completeTrade();
    const [first] = planPostings(data);
    assert.ok(first);
    applyRejected(data, first.clientRef, 'unknown account ACC-001');
    assert.deepEqual(planPostings(data), []);
    requestAgain(data);
    assert.deepEqual(
      planPostings(data)
        .map((each) => each.clientRef)
        .sort(),
      Object.keys(data.postings).sort(),
    );
  });
});
