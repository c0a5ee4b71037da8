import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSaga, type SagaInvariant, type SagaWorld, type ScenarioMessage } from '@switchyard/saga';
import { PostingBooked } from '../../src/modules/booking/contracts.ts';
import {
  AllocationInstructed,
  SettlementInstructed,
  TradeExecuted,
} from '../../src/modules/trades/contracts.ts';
import { tradeSaga } from '../../src/modules/trades/trade-saga.ts';
import {
  applyAllocation,
  applyExecution,
  applySettlement,
  emptyTrade,
  intendedPostings,
} from '../../src/modules/trades/trade-state.ts';
import { tradeMessages } from './trade-fixtures.ts';

const saga = tradeSaga({
  bookingAddress: 'queue:booking',
  incompleteAfterMs: 600_000,
  bookingOverdueAfterMs: 600_000,
  parkLimitMs: 600_000,
  houseAccount: '90000001',
});

/** The three streams of one trade, duplicated by the checker at will, and the core's answers for its postings. */
function scenario(tradeId: string): ScenarioMessage[] {
  const { executed, allocated, settlements } = tradeMessages(tradeId);
  const complete = emptyTrade('90000001');
  applyExecution(complete, executed);
  applyAllocation(complete, allocated);
  for (const settlement of settlements) applySettlement(complete, settlement);
  return [
    { type: TradeExecuted, message: executed },
    { type: AllocationInstructed, message: allocated },
    ...settlements.map((message) => ({ type: SettlementInstructed, message })),
    ...intendedPostings(complete).map((posting, index) => ({
      type: PostingBooked,
      message: { tradeId, clientRef: posting.clientRef, sequence: index + 1, businessDate: '2026-12-07' },
    })),
  ];
}

const sentRefs = (world: SagaWorld) =>
  world.produced
    .filter((each) => each.type === 'tradebook.booking.BookPostings')
    .flatMap((each) =>
      (each.message as { postings: { clientRef: string }[] }).postings.map((posting) => posting.clientRef),
    );

const invariants: SagaInvariant[] = [
  {
    name: 'a posting is asked of booking at most once',
    holds: (world) => {
      const refs = sentRefs(world);
      return new Set(refs).size === refs.length || `asked twice: ${refs.join(', ')}`;
    },
  },
  {
    name: 'a trade is announced booked at most once',
    holds: (world) =>
      world.produced.filter((each) => each.type === 'tradebook.trades.TradeBooked').length <= 2,
  },
  {
    name: 'in the end each trade is booked, nothing held',
    atEnd: true,
    holds: (world) =>
      (world.instances.length === 2 &&
        world.instances.every((instance) => instance.state === 'Booked') &&
        world.held === 0) ||
      `states ${world.instances.map((each) => each.state).join(', ')}, asked ${sentRefs(world).length}, held ${world.held}`,
  },
];

describe('the trade saga', () => {
  it('asks for the same postings once, whatever the order, duplicates and crashes of the three streams', async () => {
    const inputs = (tradeId: string) => scenario(tradeId).filter((each) => each.type !== PostingBooked);
    const report = await checkSaga({
      definition: saga,
      messages: [...inputs('T-1'), ...inputs('T-2')],
      invariants: invariants.filter((each) => !each.atEnd),
      runs: 150,
    });
    // Every schedule ends in the reference order's world: both trades waiting for the core, each asked once.
    assert.deepEqual(
      report.finalWorld.instances.map((each) => each.state),
      ['Booking', 'Booking'],
    );
    assert.equal(sentRefs(report.finalWorld).length, 4);
  });

  it('books each trade once whatever the order of its streams and the core’s answers', async () => {
    // Answers cannot come before their question in the running system; here they may, and the trade
    // keeps them as facts about the core: so schedules end in different worlds, held to the invariants.
    const report = await checkSaga({
      definition: saga,
      messages: [...scenario('T-1'), ...scenario('T-2')],
      invariants,
      converges: false,
      runs: 150,
    });
    assert.equal(report.finalWorld.instances.length, 2);
    assert.equal(
      report.finalWorld.produced.filter((each) => each.type === 'tradebook.trades.TradeBooked').length,
      2,
    );
  });
});
