import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { column } from '@switchyard/postgres';
import { NightlyRunDue } from '../../src/modules/deliveries/delivery-messages.ts';
import { deliveriesModule } from '../../src/modules/deliveries/module.ts';
import { nightlyRunEntryId } from '../../src/modules/deliveries/nightly-runs.ts';
import { DueOrdersListed } from '../../src/modules/orders/contracts.ts';
import { eventually, type RunningMilkround, startMilkround, testClock } from '../support/milkround-host.ts';
import { answeringOrdersModule, dueOrder, watcherModule } from './deliveries-test-modules.ts';

interface DatePlan {
  runs: {
    runId: string;
    regions: string[] | null;
    source: string;
    plannedAt: string | null;
    deliveries: number | null;
    rounds: number | null;
  }[];
  rounds: {
    name: string;
    region: string;
    deliveries: {
      deliveryId: string;
      stop: number;
      customerId: string;
      status: string;
      lines: unknown[];
      currency: string;
    }[];
  }[];
}

// The durable scheduler fires by the real clock while the module reads the test clock: a clock years
// ahead keeps the nightly runs the tests book from firing while they run.
const clock = testClock('2031-11-23T10:00:00Z');

const orders = {
  '2031-11-24': [
    dueOrder('c-sw-1', 'UK', 'SW1A 1AA'),
    dueOrder('c-sw-2', 'UK', 'SW1A 2BB'),
    dueOrder('c-sw-3', 'UK', 'sw1a3cc', 'whole-1pt', 1),
    dueOrder('c-n1', 'UK', 'N1 9GU'),
    dueOrder('c-ny', 'US', '10001-2345', 'whole-half-gallon', 1),
  ],
  '2031-11-26': [dueOrder('c-uk', 'UK', 'M1 1AE'), dueOrder('c-us', 'US', '11201')],
  '2031-11-27': [dueOrder('c-night', 'UK', 'EH1 1YZ')],
};

describe('the delivery run', () => {
  let running: RunningMilkround;
  const answering = answeringOrdersModule(orders);
  const watcher = watcherModule();

  before(async () => {
    running = await startMilkround({
      modules: [deliveriesModule({ maxStopsPerRound: 2 }), answering.module, watcher.module],
      clock,
      seed: true,
    });
  });
  after(() => running.stop());

  const planOf = async (date: string) => {
    const response = await running.request('GET', `/deliveries/runs/${date}`);
    return response.status === 200 ? (response.body as DatePlan) : undefined;
  };
  const plannedRun = (date: string, runId: string) =>
    eventually(async () => {
      const plan = await planOf(date);
      return plan?.runs.find((run) => run.runId === runId && run.plannedAt !== null) ? plan : undefined;
    });

  it('asks orders for the date and lays the due orders out as deliveries on rounds of at most N stops', async () => {
    const started = await running.request('POST', '/deliveries/runs', { deliveryDate: '2031-11-24' });
    assert.equal(started.status, 202);
    assert.equal(started.headers.get('location'), '/deliveries/runs/2031-11-24');
    const { runId } = started.body as { runId: string };
    const plan = await plannedRun('2031-11-24', runId);

    assert.deepEqual(answering.asked, [{ runId, deliveryDate: '2031-11-24' }]);
    assert.deepEqual(
      plan.rounds.map((round) => [round.name, round.deliveries.map((each) => [each.stop, each.customerId])]),
      [
        ['N1-1', [[1, 'c-n1']]],
        [
          'SW1A-1',
          [
            [1, 'c-sw-1'],
            [2, 'c-sw-2'],
          ],
        ],
        ['SW1A-2', [[1, 'c-sw-3']]],
        ['10001-1', [[1, 'c-ny']]],
      ],
    );
    assert.deepEqual(plan.runs[0], {
      ...plan.runs[0],
      regions: null,
      source: 'request',
      deliveries: 5,
      rounds: 4,
    });
    const published = await eventually(async () => watcher.planned.find((each) => each.runId === runId));
    assert.deepEqual(published, { runId, deliveryDate: '2031-11-24', deliveries: 5, rounds: 4 });

    // Each delivery's saga starts from the plan; its lines are the order's.
    const stop = plan.rounds[0]?.deliveries[0];
    assert.ok(stop);
    const delivery = await eventually(async () => {
      const response = await running.request('GET', `/deliveries/${stop.deliveryId}`);
      const body = response.body as {
        status: string;
        lines: unknown[];
        currency: string;
        round: { name: string; stop: number };
      };
      return body.status === 'Planned' ? body : undefined;
    });
    assert.deepEqual(delivery.lines, orders['2031-11-24'][3]?.lines);
    assert.equal(delivery.currency, 'GBP');
    assert.deepEqual(delivery.round, { ...delivery.round, name: 'N1-1', stop: 1 });
  });

  it('creates nothing new when the same date runs again', async () => {
    const before = await planOf('2031-11-24');
    assert.ok(before);
    const started = await running.request('POST', '/deliveries/runs', { deliveryDate: '2031-11-24' });
    const { runId } = started.body as { runId: string };
    const plan = await plannedRun('2031-11-24', runId);

    assert.deepEqual(
      plan.rounds,
      before.rounds.map((round) => ({
        ...round,
        deliveries: round.deliveries.map((each) => ({ ...each, status: 'Planned' })),
      })),
    );
    assert.equal(plan.runs.length, 2);
    const again = await eventually(async () => watcher.planned.find((each) => each.runId === runId));
    assert.deepEqual(again, { runId, deliveryDate: '2031-11-24', deliveries: 5, rounds: 4 });
  });

  it('plans from a DueOrdersListed nobody here asked for, once, and fills the last round of an area with a newcomer', async () => {
    const first = [
      dueOrder('c-a', 'UK', 'E1 6AN'),
      dueOrder('c-b', 'UK', 'E1 7AA'),
      dueOrder('c-c', 'UK', 'E1 8AA'),
    ];
    await running.host.bus?.publish(DueOrdersListed, {
      runId: 'outside-1',
      deliveryDate: '2031-11-25',
      orders: first,
    });
    const once = await plannedRun('2031-11-25', 'outside-1');
    assert.deepEqual(
      once.rounds.map((round) => [round.name, round.deliveries.map((each) => each.customerId)]),
      [
        ['E1-1', ['c-a', 'c-b']],
        ['E1-2', ['c-c']],
      ],
    );
    assert.equal(once.runs[0]?.source, 'orders');

    // The same answer again, and then one with a late customer: only the newcomer is added.
    await running.host.bus?.publish(DueOrdersListed, {
      runId: 'outside-2',
      deliveryDate: '2031-11-25',
      orders: first,
    });
    await plannedRun('2031-11-25', 'outside-2');
    await running.host.bus?.publish(DueOrdersListed, {
      runId: 'outside-3',
      deliveryDate: '2031-11-25',
      orders: [...first, dueOrder('c-d', 'UK', 'E1 9AA')],
    });
    const later = await plannedRun('2031-11-25', 'outside-3');
    assert.deepEqual(
      later.rounds.map((round) => [round.name, round.deliveries.map((each) => each.customerId)]),
      [
        ['E1-1', ['c-a', 'c-b']],
        ['E1-2', ['c-c', 'c-d']],
      ],
    );
    assert.deepEqual(
      later.rounds.flatMap((round) => round.deliveries.map((each) => each.deliveryId)).slice(0, 3),
      once.rounds.flatMap((round) => round.deliveries.map((each) => each.deliveryId)),
    );
    assert.deepEqual(
      later.runs.map((run) => [run.runId, run.deliveries]),
      [
        ['outside-1', 3],
        ['outside-2', 3],
        ['outside-3', 4],
      ],
    );
  });

  it("plans only its region's customers when a run names one", async () => {
    const us = await running.request('POST', '/deliveries/runs', {
      deliveryDate: '2031-11-26',
      region: 'US',
    });
    const usPlan = await plannedRun('2031-11-26', (us.body as { runId: string }).runId);
    assert.deepEqual(
      usPlan.rounds.map((round) => round.deliveries.map((each) => each.customerId)),
      [['c-us']],
    );
    const uk = await running.request('POST', '/deliveries/runs', {
      deliveryDate: '2031-11-26',
      region: 'UK',
    });
    const ukPlan = await plannedRun('2031-11-26', (uk.body as { runId: string }).runId);
    assert.deepEqual(
      ukPlan.rounds.map((round) => [round.region, round.deliveries.map((each) => each.customerId)]),
      [
        ['UK', ['c-uk']],
        ['US', ['c-us']],
      ],
    );
    assert.deepEqual(
      ukPlan.rounds.map((round) => [round.region, round.deliveries.map((each) => each.currency)]),
      [
        ['UK', ['GBP']],
        ['US', ['USD']],
      ],
      'prices in the currency of the customer’s region',
    );
    const usStop = usPlan.rounds[0]?.deliveries[0];
    assert.ok(usStop);
    const usDelivery = await running.request('GET', `/deliveries/${usStop.deliveryId}`);
    assert.equal((usDelivery.body as { currency: string }).currency, 'USD');
    assert.deepEqual(
      ukPlan.runs.map((run) => [run.regions, run.deliveries, run.rounds]),
      [
        [['US'], 1, 1],
        [['UK'], 1, 1],
      ],
    );
  });

  it('runs nightly for the next local day and books the following night with the durable scheduler', async () => {
    const sql = running.host.sql;
    assert.ok(sql);
    const entry = async (region: 'UK' | 'US') => {
      const { rows } = await sql.query('select due_at from switchyard.yard_scheduled where id = $1', [
        nightlyRunEntryId(region),
      ]);
      return rows[0] ? column.timestamp(rows[0], 'due_at').toISOString() : undefined;
    };

    // The seed booked the first night of each region at start: 22:30 in London and in New York.
    assert.equal(await eventually(() => entry('UK')), '2031-11-23T22:30:00.000Z');
    assert.equal(await eventually(() => entry('US')), '2031-11-24T03:30:00.000Z');

    // The UK entry fires (sent here as the scheduler would) for the 27th, by this clock a little early:
    // it plans the 27th and books the night after, not itself again.
    clock.set('2031-11-26T22:29:30Z');
    await running.host.bus?.send('queue:deliveries', NightlyRunDue, {
      region: 'UK',
      deliveryDate: '2031-11-27',
    });
    const plan = await eventually(async () => {
      const found = await planOf('2031-11-27');
      return found?.runs[0]?.plannedAt ? found : undefined;
    });
    assert.deepEqual(
      plan.runs.map((run) => [run.source, run.regions, run.deliveries]),
      [['nightly', ['UK'], 1]],
    );
    assert.equal(
      await eventually(async () => {
        const due = await entry('UK');
        return due === '2031-11-27T22:30:00.000Z' ? due : undefined;
      }),
      '2031-11-27T22:30:00.000Z',
    );
  });

  it('answers unknown dates and deliveries with 404 and bad input with 400', async () => {
    assert.equal((await running.request('GET', '/deliveries/runs/2031-12-25')).status, 404);
    assert.equal((await running.request('GET', '/deliveries/runs/25-12-2031')).status, 400);
    assert.equal(
      (await running.request('POST', '/deliveries/runs', { deliveryDate: '2031-13-01' })).status,
      400,
    );
    assert.equal(
      (await running.request('POST', '/deliveries/runs', { deliveryDate: '2031-12-01', region: 'FR' }))
        .status,
      400,
    );
    const missing = await running.request('GET', '/deliveries/no-such-delivery');
    assert.equal(missing.status, 404);
    assert.match((missing.body as { detail: string }).detail, /no-such-delivery/);
  });
});
