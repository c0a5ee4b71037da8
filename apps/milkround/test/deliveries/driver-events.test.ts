import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defineMessage, uuidv7 } from '@switchyard/bus';
import { PostgresSagaStore } from '@switchyard/postgres';
import { SagaInspector } from '@switchyard/saga';
import { z } from 'zod';
import { DeliveryMissed, DoorstepDelivered, VanLoaded } from '../../src/modules/deliveries/contracts.ts';
import { DeliveryPlanned, sagaEndpointName } from '../../src/modules/deliveries/delivery-messages.ts';
import { deliverySaga, deliverySagaName } from '../../src/modules/deliveries/delivery-saga.ts';
import { deliveriesModule } from '../../src/modules/deliveries/module.ts';
import { DueOrdersListed } from '../../src/modules/orders/contracts.ts';
import { messageWatcher } from '../billing/message-watcher.ts';
import { eventually, type RunningMilkround, startMilkround, testClock } from '../support/milkround-host.ts';
import { dueOrder, watcherModule } from './deliveries-test-modules.ts';

interface DeliveryView {
  status: string;
  lastSequence: number;
  waiting: { event: string; reason: string }[];
  timeline: { event: string; from: string | null; to: string }[];
}

// Held driver events expire through the durable scheduler, which fires by the real clock: a test clock
// years ahead keeps them from expiring while the tests run.
const clock = testClock('2031-11-23T10:00:00Z');

/** DeliveryCompleted with whatever fields it carries: what a consumer of any release would be given. */
const DeliveryCompletedOnTheWire = defineMessage(
  'milkround.deliveries.DeliveryCompleted',
  z.looseObject({ deliveryId: z.string(), lines: z.array(z.looseObject({})) }),
);
const deliveryDate = '2031-11-24';
const customers = ['c-in-order', 'c-reversed', 'c-twice', 'c-missed', 'c-barrier', 'c-http'];
const at = (minute: number) => `2031-11-24T06:${String(minute).padStart(2, '0')}:00Z`;

describe('driver events', () => {
  let running: RunningMilkround;
  const watcher = watcherModule();
  const wire = messageWatcher('deliverieswire', [DeliveryCompletedOnTheWire]);
  const deliveryOf = new Map<string, string>();

  before(async () => {
    running = await startMilkround({ modules: [deliveriesModule(), watcher.module, wire.module], clock });
    await running.host.bus?.publish(DueOrdersListed, {
      runId: 'run-driver-events',
      deliveryDate,
      orders: customers.map((customer, index) =>
        dueOrder(customer, 'UK', `SE1 ${index}AA`, 'oat-1l', index + 1),
      ),
    });
    const plan = await eventually(async () => {
      const response = await running.request('GET', `/deliveries/runs/${deliveryDate}`);
      const body = response.body as {
        rounds?: { deliveries: { deliveryId: string; customerId: string; status: string }[] }[];
      };
      const stops = body.rounds?.flatMap((round) => round.deliveries) ?? [];
      return stops.length === customers.length && stops.every((stop) => stop.status === 'Planned')
        ? stops
        : undefined;
    });
    for (const stop of plan) deliveryOf.set(stop.customerId, stop.deliveryId);
  });
  after(() => running.stop());

  const idOf = (customer: string) => {
    const id = deliveryOf.get(customer);
    assert.ok(id, `delivery of ${customer}`);
    return id;
  };
  const view = async (deliveryId: string) =>
    (await running.request('GET', `/deliveries/${deliveryId}`)).body as DeliveryView;
  const reaches = (deliveryId: string, status: string) =>
    eventually(async () => {
      const current = await view(deliveryId);
      return current.status === status && current.waiting.length === 0 ? current : undefined;
    });
  const completionsOf = (deliveryId: string) =>
    watcher.completed.filter((each) => each.deliveryId === deliveryId);
  const completedOnce = async (deliveryId: string) => {
    await eventually(async () => (completionsOf(deliveryId).length > 0 ? true : undefined));
    return completionsOf(deliveryId);
  };
  const bus = () => {
    const found = running.host.bus;
    assert.ok(found);
    return found;
  };

  it('completes a delivery whose events arrive in order, with its lines, through the HTTP route', async () => {
    const deliveryId = idOf('c-http');
    const loaded = await running.request('POST', `/deliveries/${deliveryId}/events`, {
      type: 'loaded',
      sequence: 1,
      at: at(0),
    });
    assert.equal(loaded.status, 202);
    assert.equal(loaded.headers.get('location'), `/deliveries/${encodeURIComponent(deliveryId)}`);
    await running.request('POST', `/deliveries/${deliveryId}/events`, {
      type: 'delivered',
      sequence: 2,
      at: at(5),
    });
    const done = await reaches(deliveryId, 'Delivered');
    assert.deepEqual(
      done.timeline.map((step) => [step.event, step.to]),
      [
        ['planned', 'Planned'],
        ['loaded', 'Loaded'],
        ['delivered', 'Delivered'],
      ],
    );
    assert.deepEqual(await completedOnce(deliveryId), [
      {
        deliveryId,
        customerId: 'c-http',
        deliveryDate,
        lines: dueOrder('c-http', 'UK', '', 'oat-1l', 6).lines,
      },
    ]);
  });

  it('completes a delivery whose events come straight from the bus in order', async () => {
    const deliveryId = idOf('c-in-order');
    await bus().publish(VanLoaded, { deliveryId, sequence: 1, at: at(0) });
    await bus().publish(DoorstepDelivered, { deliveryId, sequence: 2, at: at(10) });
    await reaches(deliveryId, 'Delivered');
    assert.equal((await completedOnce(deliveryId)).length, 1);
  });

  it('holds "delivered" that overtook "loaded" until the gap is filled, then completes once in sequence order', async () => {
    const deliveryId = idOf('c-reversed');
    await bus().publish(DoorstepDelivered, { deliveryId, sequence: 2, at: at(20) });
    const waiting = await eventually(async () => {
      const current = await view(deliveryId);
      return current.waiting.length === 1 ? current : undefined;
    });
    assert.deepEqual(
      waiting.waiting.map((held) => [held.event, held.reason]),
      [['delivered', 'gap']],
    );
    assert.equal(waiting.status, 'Planned');
    assert.equal(completionsOf(deliveryId).length, 0);

    await bus().publish(VanLoaded, { deliveryId, sequence: 1, at: at(1) });
    const done = await reaches(deliveryId, 'Delivered');
    assert.deepEqual(
      done.timeline.map((step) => step.event),
      ['planned', 'loaded', 'delivered'],
    );
    assert.equal(done.lastSequence, 2);
    assert.equal((await completedOnce(deliveryId)).length, 1);
  });

  it('drops repeated events, whether redelivered or resent with new message ids, and bills once', async () => {
    const deliveryId = idOf('c-twice');
    const deliveredId = uuidv7();
    await bus().publish(VanLoaded, { deliveryId, sequence: 1, at: at(2) });
    await bus().publish(VanLoaded, { deliveryId, sequence: 1, at: at(2) });
    await bus().publish(
      DoorstepDelivered,
      { deliveryId, sequence: 2, at: at(30) },
      { messageId: deliveredId },
    );
    await bus().publish(
      DoorstepDelivered,
      { deliveryId, sequence: 2, at: at(30) },
      { messageId: deliveredId },
    );
    await bus().publish(DoorstepDelivered, { deliveryId, sequence: 2, at: at(31) });
    await running.request('POST', `/deliveries/${deliveryId}/events`, {
      type: 'delivered',
      sequence: 2,
      at: at(32),
    });
    // A later report with a new number after the doorstep (a mistaken "missed") is recorded, not billed.
    await bus().publish(DeliveryMissed, { deliveryId, sequence: 3, at: at(40), reason: 'tapped by mistake' });
    const done = await eventually(async () => {
      const current = await view(deliveryId);
      return current.lastSequence === 3 ? current : undefined;
    });
    assert.equal(done.status, 'Delivered');
    assert.deepEqual(
      done.timeline.map((step) => [step.event, step.to]),
      [
        ['planned', 'Planned'],
        ['loaded', 'Loaded'],
        ['delivered', 'Delivered'],
        ['missed', 'Delivered'],
      ],
    );
    assert.equal((await completedOnce(deliveryId)).length, 1);
  });

  it('publishes nothing to billing for a missed delivery', async () => {
    const deliveryId = idOf('c-missed');
    await bus().publish(DeliveryMissed, { deliveryId, sequence: 2, at: at(50), reason: 'gate locked' });
    await bus().publish(VanLoaded, { deliveryId, sequence: 1, at: at(3) });
    const missed = await reaches(deliveryId, 'Missed');
    assert.deepEqual(
      missed.timeline.map((step) => step.event),
      ['planned', 'loaded', 'missed'],
    );
    // A delivery completed after the missed one was reported shows the watcher is caught up.
    const barrier = idOf('c-barrier');
    await bus().publish(DoorstepDelivered, { deliveryId: barrier, sequence: 1, at: at(55) });
    await completedOnce(barrier);
    assert.deepEqual(completionsOf(deliveryId), []);
    assert.equal((await view(deliveryId)).status, 'Missed');
  });

  it('parks events that beat the plan to their delivery and applies them when it arrives', async () => {
    const deliveryId = uuidv7();
    await bus().publish(DoorstepDelivered, { deliveryId, sequence: 2, at: at(58) });
    await bus().publish(VanLoaded, { deliveryId, sequence: 1, at: at(4) });
    // No delivery has this id yet: a placeholder holds both, "delivered" behind the gap before #1.
    const sql = running.host.sql;
    assert.ok(sql);
    const inspector = new SagaInspector(deliverySaga({ parkLimitMs: 1 }), {
      store: new PostgresSagaStore(sql),
      transactions: sql,
    });
    const placeholder = await eventually(async () => {
      const found = await inspector.find({ id: deliveryId });
      return found?.held.length === 2 ? found : undefined;
    });
    assert.deepEqual(placeholder.held.map((held) => [held.event, held.reason]).sort(), [
      ['delivered', 'gap'],
      ['loaded', 'parked'],
    ]);
    assert.equal(completionsOf(deliveryId).length, 0);
    const lines = [{ sku: 'eggs-6', quantity: 1, unitPriceMinor: 240 }];
    await bus().send(`queue:${sagaEndpointName}`, DeliveryPlanned, {
      deliveryId,
      runId: 'run-late-plan',
      customerId: 'c-late',
      deliveryDate,
      lines,
    });
    assert.deepEqual(await completedOnce(deliveryId), [
      { deliveryId, customerId: 'c-late', deliveryDate, lines },
    ]);
  });

  it('completes a delivery the previous release planned, its lines priced in `unitPricePence`, by minor unit', async () => {
    const sql = running.host.sql;
    assert.ok(sql);
    const deliveryId = uuidv7();
    // Delivery saga data as the release before decision 0026 stored it, loaded and waiting for #2.
    await sql.transaction((tx) =>
      new PostgresSagaStore(sql).insert(tx, {
        sagaType: deliverySagaName,
        id: deliveryId,
        state: 'Loaded',
        version: 1,
        keys: {},
        data: {
          data: {
            deliveryId,
            runId: 'run-before',
            customerId: 'c-before',
            deliveryDate,
            lines: [{ sku: 'milk-1pt', quantity: 2, unitPricePence: 95 }],
            loadedAt: at(1),
            deliveredAt: null,
            missedAt: null,
            missedReason: null,
            attemptsMissed: 0,
          },
          bookkeeping: { held: [], sequences: { driver: 1 }, composites: {}, raised: [], timeouts: {} },
        },
      }),
    );
    await bus().publish(DoorstepDelivered, { deliveryId, sequence: 2, at: at(7) });
    await completedOnce(deliveryId);
    // As billing receives it: the message on the wire, read without this release's contract.
    const sent = await eventually(
      async () => wire.seen(DeliveryCompletedOnTheWire, (each) => each.deliveryId === deliveryId)[0],
    );
    assert.deepEqual(sent.message.lines, [{ sku: 'milk-1pt', quantity: 2, unitPriceMinor: 95 }]);
  });

  it('refuses a driver event for an unknown delivery or without what its type needs', async () => {
    const deliveryId = idOf('c-barrier');
    const noReason = await running.request('POST', `/deliveries/${deliveryId}/events`, {
      type: 'missed',
      sequence: 4,
      at: at(59),
    });
    assert.equal(noReason.status, 400);
    const badSequence = await running.request('POST', `/deliveries/${deliveryId}/events`, {
      type: 'loaded',
      sequence: 0,
      at: at(59),
    });
    assert.equal(badSequence.status, 400);
    const badType = await running.request('POST', `/deliveries/${deliveryId}/events`, {
      type: 'lost',
      sequence: 4,
      at: at(59),
    });
    assert.equal(badType.status, 400);
    const unknown = await running.request('POST', '/deliveries/nobody/events', {
      type: 'loaded',
      sequence: 1,
      at: at(59),
    });
    assert.equal(unknown.status, 404);
  });

  it('ends with exactly one DeliveryCompleted for each delivered delivery and none for the missed one', async () => {
    const counts = new Map<string, number>();
    for (const each of watcher.completed) counts.set(each.customerId, (counts.get(each.customerId) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b))), {
      'c-barrier': 1,
      'c-before': 1,
      'c-http': 1,
      'c-in-order': 1,
      'c-late': 1,
      'c-reversed': 1,
      'c-twice': 1,
    });
  });
});
