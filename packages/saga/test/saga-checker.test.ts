import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSaga, SagaCheckFailure } from '../src/index.ts';
import {
  bookedTrades as bookings,
  tradeInvariants as invariants,
  tradeScenario as scenario,
  tradeBooking,
} from './support/trade-booking.ts';

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
