import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSaga, SagaCheckFailure, type SagaWorld, type ScenarioMessage } from '../src/index.ts';
import {
  TradeAllocated,
  TradeAmended,
  TradeBooked,
  TradeConfirmed,
  TradeExecuted,
  tradeBooking,
} from './support/trade-booking.ts';

/** Two trades, each with its three parts and two amendments. */
function scenario(): ScenarioMessage[] {
  return ['t-1', 't-2'].flatMap((tradeId): ScenarioMessage[] => [
    {
      type: TradeExecuted,
      message: { tradeId, confirmationRef: `CNF-${tradeId}`, quantity: 100, price: 99.5 },
    },
    { type: TradeAllocated, message: { tradeId, account: `ACC-${tradeId}` } },
    { type: TradeConfirmed, message: { confirmationRef: `CNF-${tradeId}` } },
    { type: TradeAmended, message: { tradeId, sequence: 1, quantity: 150 } },
    { type: TradeAmended, message: { tradeId, sequence: 2, quantity: 175 } },
  ]);
}

const bookings = (world: SagaWorld) =>
  world.produced
    .filter((each) => each.type === TradeBooked.name)
    .map((each) => each.message as { tradeId: string });

const invariants = [
  {
    name: 'a trade is booked at most once',
    holds: (world: SagaWorld) => {
      const ids = bookings(world).map((each) => each.tradeId);
      return new Set(ids).size === ids.length || `booked: ${ids.join(', ')}`;
    },
  },
  {
    name: 'a booked trade has its allocation and confirmation',
    holds: (world: SagaWorld) =>
      world.instances
        .filter((instance) => instance.state === 'Booked')
        .every((instance) => {
          const data = instance.data as { account: string | null; confirmed: boolean };
          return data.account !== null && data.confirmed;
        }),
  },
  {
    name: 'in the end every trade is booked with its last amendment',
    atEnd: true,
    holds: (world: SagaWorld) =>
      bookings(world).length === world.instances.length &&
      world.instances.every((instance) => (instance.data as { quantity: number }).quantity === 175) &&
      world.held === 0,
  },
];

describe('the saga checker', () => {
  it('finds no ordering, redelivery or crash of the trade scenario that breaks the booking rules', async () => {
    const report = await checkSaga({
      definition: tradeBooking(),
      messages: scenario(),
      invariants,
      runs: 150,
    });
    assert.equal(report.runs, 150);
    assert.equal(report.finalWorld.instances.length, 2);
    assert.ok(report.orderingsPerSecond > 0);
  });

  it('shrinks to a small schedule that shows why a saga without sequence numbers does not converge', async () => {
    const unsequenced = tradeBooking({ amendmentsInSequence: false });
    const failure = await checkSaga({
      definition: unsequenced,
      messages: scenario().slice(0, 5),
      invariants,
      runs: 300,
      seed: 42,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof SagaCheckFailure, 'the check fails');
    assert.match(failure.message, /another world than the reference|last amendment/);
    // Shrinking keeps only what matters: the five messages, with the two amendments swapped.
    assert.ok(failure.schedule.length <= 6, failure.message);
    const amendments = failure.schedule.filter((line) => line.includes('TradeAmended'));
    assert.match(amendments[0] ?? '', /"sequence":2/, failure.message);
  });

  it('reports an invariant broken by the reference order itself', async () => {
    await assert.rejects(
      checkSaga({
        definition: tradeBooking(),
        messages: scenario().slice(0, 3),
        invariants: [{ name: 'nothing is ever booked', holds: (world) => bookings(world).length === 0 }],
      }),
      (error: unknown) =>
        error instanceof SagaCheckFailure &&
        /reference order already fails: invariant "nothing is ever booked"/.test(error.message),
    );
  });
});
