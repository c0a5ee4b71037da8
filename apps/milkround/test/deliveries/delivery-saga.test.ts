import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkSaga,
  SagaCheckFailure,
  type SagaInvariant,
  type SagaWorld,
  type ScenarioMessage,
} from '@switchyard/saga';
import {
  DeliveryCompleted,
  DeliveryMissed,
  DoorstepDelivered,
  VanLoaded,
} from '../../src/modules/deliveries/contracts.ts';
import { DeliveryPlanned } from '../../src/modules/deliveries/delivery-messages.ts';
import { type DeliveryData, deliverySaga } from '../../src/modules/deliveries/delivery-saga.ts';

const saga = deliverySaga({ parkLimitMs: 3_600_000 });
const lines = [{ sku: 'semi-skimmed-1pt', quantity: 2, unitPriceMinor: 95 }];
const plan = (deliveryId: string): ScenarioMessage => ({
  type: DeliveryPlanned,
  message: {
    deliveryId,
    runId: 'run-1',
    customerId: `customer-of-${deliveryId}`,
    deliveryDate: '2026-11-24',
    lines,
  },
});

/**
 * Two deliveries of one round. d-1 is loaded and delivered, and the phone, unsure the first report got
 * through, sends "delivered" again with a new message id. d-2 is loaded and missed. The checker also
 * redelivers messages and crashes before commits, in every order, plan first or last.
 */
const scenario: ScenarioMessage[] = [
  plan('d-1'),
  { type: VanLoaded, message: { deliveryId: 'd-1', sequence: 1, at: '2026-11-24T05:10:00Z' } },
  { type: DoorstepDelivered, message: { deliveryId: 'd-1', sequence: 2, at: '2026-11-24T06:02:00Z' } },
  { type: DoorstepDelivered, message: { deliveryId: 'd-1', sequence: 2, at: '2026-11-24T06:02:00Z' } },
  plan('d-2'),
  { type: VanLoaded, message: { deliveryId: 'd-2', sequence: 1, at: '2026-11-24T05:10:00Z' } },
  {
    type: DeliveryMissed,
    message: { deliveryId: 'd-2', sequence: 2, at: '2026-11-24T06:20:00Z', reason: 'gate locked' },
  },
];

const completions = (world: SagaWorld) =>
  world.produced
    .filter((each) => each.type === DeliveryCompleted.name)
    .map((each) => each.message as { deliveryId: string; lines: unknown });
const dataOf = (world: SagaWorld) =>
  world.instances.map((instance) => ({ state: instance.state, data: instance.data as DeliveryData }));

const invariants: SagaInvariant[] = [
  {
    name: 'DeliveryCompleted is published at most once per delivery',
    holds: (world) => {
      const ids = completions(world).map((each) => each.deliveryId);
      return new Set(ids).size === ids.length || `completed: ${ids.join(', ')}`;
    },
  },
  {
    name: 'a delivery is completed only once it is delivered, with its planned lines',
    holds: (world) =>
      completions(world).every((completed) =>
        dataOf(world).some(
          ({ state, data }) =>
            state === 'Delivered' &&
            data.deliveryId === completed.deliveryId &&
            data.deliveredAt !== null &&
            data.loadedAt !== null &&
            JSON.stringify(completed.lines) === JSON.stringify(data.lines),
        ),
      ) || `completed: ${JSON.stringify(completions(world))}, instances: ${JSON.stringify(dataOf(world))}`,
  },
  {
    name: 'a missed delivery is never completed',
    holds: (world) => !completions(world).some((each) => each.deliveryId === 'd-2'),
  },
  {
    name: 'in the end d-1 is delivered, d-2 missed, nothing held and nothing refused',
    atEnd: true,
    holds: (world) => {
      const states = dataOf(world)
        .map(({ state, data }) => `${data.deliveryId}:${state}`)
        .sort();
      return (
        (JSON.stringify(states) === JSON.stringify(['d-1:Delivered', 'd-2:Missed']) &&
          world.held === 0 &&
          world.faulted.length === 0 &&
          completions(world).length === 1) ||
        `states ${states.join(', ')}, held ${world.held}, faulted ${JSON.stringify(world.faulted)}`
      );
    },
  },
];

describe('the delivery saga under the checker', () => {
  it('completes each delivered delivery once, whatever the order, redeliveries and crashes', async () => {
    const report = await checkSaga({ definition: saga, messages: scenario, invariants, runs: 300 });
    assert.equal(report.runs, 300);
    assert.deepEqual(
      completions(report.finalWorld).map((each) => each.deliveryId),
      ['d-1'],
    );
  });

  it('shows why driver events need their sequence: without it a late "loaded" undoes "missed"', async () => {
    const unsequenced = deliverySaga({ parkLimitMs: 3_600_000, driverEventsInSequence: false });
    const failure = await checkSaga({
      definition: unsequenced,
      messages: scenario.slice(4),
      invariants: invariants.filter((each) => !each.atEnd),
      runs: 300,
      seed: 7,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof SagaCheckFailure, 'the check fails');
    assert.match(failure.message, /another world than the reference order/);
    const driverEvents = failure.schedule.filter((line) => !line.includes('DeliveryPlanned'));
    assert.match(driverEvents.at(-1) ?? '', /VanLoaded/, failure.message);
  });
});
