import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planRounds } from '../../src/modules/deliveries/plan-rounds.ts';
import { postcodeArea } from '../../src/modules/deliveries/postcode-area.ts';

describe('postcode areas', () => {
  it('takes the outward code of a UK postcode, however it is written', () => {
    assert.deepEqual(
      ['SW1A 1AA', 'sw1a1aa', ' N1  9GU ', 'M1 1AE', 'EC1A1BB', 'B33 8TH', 'N1'].map((each) =>
        postcodeArea('UK', each),
      ),
      ['SW1A', 'SW1A', 'N1', 'M1', 'EC1A', 'B33', 'N1'],
    );
  });

  it('takes the five-digit ZIP code of a US postcode, with or without ZIP+4', () => {
    assert.deepEqual(
      ['10001', '10001-2345', '100012345', 'K1A 0B1'].map((each) => postcodeArea('US', each)),
      ['10001', '10001', '10001', 'K1A 0B1'],
    );
  });
});

describe('planning rounds', () => {
  const ids = () => {
    let next = 0;
    return () => `round-${++next}`;
  };

  it('puts each area on its own rounds, in postcode order, at most N stops each', () => {
    const plan = planRounds(
      [],
      [
        { deliveryId: 'd-3', customerId: 'c-3', region: 'UK', postcode: 'SW1A 3CC' },
        { deliveryId: 'd-1', customerId: 'c-1', region: 'UK', postcode: 'SW1A 1AA' },
        { deliveryId: 'd-4', customerId: 'c-4', region: 'US', postcode: '10001' },
        { deliveryId: 'd-2', customerId: 'c-2', region: 'UK', postcode: 'SW1A 2BB' },
        { deliveryId: 'd-5', customerId: 'c-5', region: 'UK', postcode: 'N1 9GU' },
      ],
      2,
      ids(),
    );
    assert.deepEqual(plan.newRounds, [
      { roundId: 'round-1', region: 'UK', area: 'N1', number: 1 },
      { roundId: 'round-2', region: 'UK', area: 'SW1A', number: 1 },
      { roundId: 'round-3', region: 'UK', area: 'SW1A', number: 2 },
      { roundId: 'round-4', region: 'US', area: '10001', number: 1 },
    ]);
    assert.deepEqual(plan.assignments, [
      { deliveryId: 'd-5', roundId: 'round-1', stop: 1 },
      { deliveryId: 'd-1', roundId: 'round-2', stop: 1 },
      { deliveryId: 'd-2', roundId: 'round-2', stop: 2 },
      { deliveryId: 'd-3', roundId: 'round-3', stop: 1 },
      { deliveryId: 'd-4', roundId: 'round-4', stop: 1 },
    ]);
  });

  it("fills an area's last round before opening another, and leaves existing stops where they are", () => {
    const plan = planRounds(
      [
        { roundId: 'e1-1', region: 'UK', area: 'E1', number: 1, stops: 3 },
        { roundId: 'e1-2', region: 'UK', area: 'E1', number: 2, stops: 2 },
      ],
      [
        { deliveryId: 'd-a', customerId: 'c-a', region: 'UK', postcode: 'E1 6AN' },
        { deliveryId: 'd-b', customerId: 'c-b', region: 'UK', postcode: 'E1 7AA' },
      ],
      3,
      ids(),
    );
    assert.deepEqual(plan.newRounds, [{ roundId: 'round-1', region: 'UK', area: 'E1', number: 3 }]);
    assert.deepEqual(plan.assignments, [
      { deliveryId: 'd-a', roundId: 'e1-2', stop: 3 },
      { deliveryId: 'd-b', roundId: 'round-1', stop: 1 },
    ]);
  });

  it('refuses a round size that is not a positive whole number', () => {
    assert.throws(() => planRounds([], [], 0, ids()), /maxStopsPerRound must be an integer ≥ 1, got 0/);
  });
});
