import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { uuidv7 } from '@switchyard/bus';
import {
  MemberJoined,
  MembershipEnded,
  MembershipPaused,
  MembershipResumed,
  type Region,
} from '../../src/modules/memberships/contracts.ts';
import { ListDueOrders } from '../../src/modules/orders/contracts.ts';
import { ordersModule } from '../../src/modules/orders/module.ts';
import { eventually, type RunningMilkround, startMilkround, testClock } from '../support/milkround-host.ts';
import { dueOrdersWatcher, type Listed } from './due-orders-watcher.ts';

interface Order {
  orderId: string;
  status: string;
  startsOn: string | null;
  endsBefore: string | null;
  lines: { sku: string; quantity: number; unitPriceMinor: number }[];
  currency: string;
}
interface Problem {
  title: string;
  detail: string;
}

// Monday 23 November 2026: London is on GMT (UTC+0), New York on EST (UTC-5).
const monday = '2026-11-23T10:00:00Z';

describe('orders', () => {
  const watcher = dueOrdersWatcher();
  const clock = testClock(monday);
  let milkround: RunningMilkround;

  const bus = () => {
    const running = milkround.host.bus;
    assert.ok(running, 'the host is running');
    return running;
  };
  const joinMember = async (customerId: string, region: Region, discountPercent: number) => {
    await bus().publish(MemberJoined, {
      customerId,
      name: customerId,
      region,
      postcode: region === 'UK' ? 'BS1 4DJ' : '10001',
      plan: 'test',
      discountPercent,
      joinedAt: monday,
    });
    await eventually(async () =>
      (await milkround.request('GET', `/customers/${customerId}/orders`)).status === 200 ? true : undefined,
    );
  };
  const standing = (customerId: string, weekdays: string[], lines: { sku: string; quantity: number }[]) =>
    milkround.request('POST', '/orders/standing', { customerId, weekdays, lines });
  const oneOff = (customerId: string, deliveryDate: string, lines: { sku: string; quantity: number }[]) =>
    milkround.request('POST', '/orders/one-off', { customerId, deliveryDate, lines });
  const list = async (deliveryDate: string): Promise<Listed> => {
    const runId = uuidv7();
    await bus().publish(ListDueOrders, { runId, deliveryDate });
    return eventually(async () => watcher.byRun.get(runId));
  };
  const milk = (quantity: number) => [{ sku: 'milk-1pt', quantity }];

  before(async () => {
    milkround = await startMilkround({ modules: [ordersModule(), watcher.module], clock });
    await joinMember('uk-ann', 'UK', 10);
    await joinMember('us-bob', 'US', 15);
    await joinMember('uk-pia', 'UK', 0);
    await joinMember('uk-eve', 'UK', 0);
  });
  after(() => milkround?.stop());

  it('prices a standing order at the member’s discount and starts it on the first open date', async () => {
    clock.set(monday);
    const placed = await standing(
      'uk-ann',
      ['mon', 'wed'],
      [
        { sku: 'milk-1pt', quantity: 2 },
        { sku: 'eggs-6', quantity: 1 },
        { sku: 'milk-1pt', quantity: 1 },
      ],
    );
    assert.equal(placed.status, 201);
    const order = placed.body as Order;
    assert.equal(order.startsOn, '2026-11-24');
    assert.deepEqual(order.lines, [
      { sku: 'eggs-6', quantity: 1, unitPriceMinor: 234 },
      { sku: 'milk-1pt', quantity: 3, unitPriceMinor: 86 },
    ]);
    const us = await standing('us-bob', ['wed'], milk(1));
    assert.deepEqual((us.body as Order).lines, [{ sku: 'milk-1pt', quantity: 1, unitPriceMinor: 81 }]);
    const read = await milkround.request('GET', `/orders/${order.orderId}`);
    assert.equal(read.status, 200);
    assert.deepEqual((read.body as Order).lines, order.lines);
  });

  it('names prices by minor unit and answers the currency of the customer’s region: USD in the US, GBP in the UK', async () => {
    clock.set(monday);
    const us = await oneOff('us-bob', '2026-12-18', milk(2));
    assert.equal(us.status, 201, JSON.stringify(us.body));
    const usOrder = us.body as Order;
    assert.equal(usOrder.currency, 'USD');
    assert.deepEqual(usOrder.lines, [{ sku: 'milk-1pt', quantity: 2, unitPriceMinor: 81 }]);
    const uk = await oneOff('uk-ann', '2026-12-18', milk(1));
    assert.equal(uk.status, 201, JSON.stringify(uk.body));
    assert.equal((uk.body as Order).currency, 'GBP');
    // Read back from the tables, alone and in the customer's list: the region still decides.
    assert.equal(
      ((await milkround.request('GET', `/orders/${usOrder.orderId}`)).body as Order).currency,
      'USD',
    );
    const listed = (await milkround.request('GET', '/customers/us-bob/orders')).body as Order[];
    assert.deepEqual([...new Set(listed.map((order) => order.currency))], ['USD']);
    for (const [region, currency] of [
      ['US', 'USD'],
      ['UK', 'GBP'],
    ] as const) {
      const products = (await milkround.request('GET', `/products?region=${region}`)).body as {
        sku: string;
        unitPriceMinor: number;
        currency: string;
      }[];
      const eggs = products.find((product) => product.sku === 'eggs-6');
      assert.deepEqual(eggs && { unitPriceMinor: eggs.unitPriceMinor, currency: eggs.currency }, {
        unitPriceMinor: region === 'US' ? 349 : 260,
        currency,
      });
    }
  });

  it('answers 404 for a customer who is not a member, and for an unknown order', async () => {
    const placed = await standing('c-ghost', ['mon'], milk(1));
    assert.equal(placed.status, 404);
    assert.match((placed.body as Problem).detail, /"c-ghost" is not a member/);
    assert.equal((await milkround.request('GET', '/orders/no-such-order')).status, 404);
  });

  it('places an order once per orderId the client chose: sent again, even all at once, it answers with that order', async () => {
    clock.set(monday);
    await joinMember('uk-kim', 'UK', 0);
    const orderId = uuidv7();
    const body = { orderId, customerId: 'uk-kim', weekdays: ['tue'], lines: milk(2) };
    const atOnce = await Promise.all(
      [1, 2, 3].map(() => milkround.request('POST', '/orders/standing', body)),
    );
    const later = await milkround.request('POST', '/orders/standing', body);
    for (const answer of [...atOnce, later]) {
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      assert.equal((answer.body as Order).orderId, orderId);
      assert.equal(answer.headers.get('location'), `/orders/${orderId}`);
    }
    const orders = await milkround.request('GET', '/customers/uk-kim/orders');
    assert.deepEqual(
      (orders.body as Order[]).map((order) => order.orderId),
      [orderId],
    );

    const asOneOff = await oneOff('uk-kim', '2026-11-26', milk(1));
    assert.equal(asOneOff.status, 201, 'without an orderId each request is a new order');
    const oneOffId = (asOneOff.body as Order).orderId;
    assert.equal(asOneOff.headers.get('location'), `/orders/${oneOffId}`);
    assert.equal(
      (await milkround.request('GET', `/orders/${oneOffId}`)).status,
      200,
      'Location reads the order',
    );
    const reused = await milkround.request('POST', '/orders/one-off', {
      orderId,
      customerId: 'uk-kim',
      deliveryDate: '2026-11-26',
      lines: milk(1),
    });
    assert.equal(reused.status, 409);
    assert.equal((reused.body as Problem).title, 'Order id already used');
    assert.match(
      (reused.body as Problem).detail,
      /Order id "[^"]+" was used already, for a different request \(a standing order of customer "uk-kim"\)/,
    );
    const moreMilk = await milkround.request('POST', '/orders/standing', { ...body, lines: milk(3) });
    assert.equal(moreMilk.status, 409, 'the same id with another quantity is another request');
    const otherDays = await milkround.request('POST', '/orders/standing', {
      ...body,
      weekdays: ['tue', 'fri'],
    });
    assert.equal(otherDays.status, 409, 'the same id with other weekdays is another request');
    const sameMeaning = await milkround.request('POST', '/orders/standing', {
      ...body,
      weekdays: ['tue', 'tue'],
      lines: [
        { sku: 'milk-1pt', quantity: 1 },
        { sku: 'milk-1pt', quantity: 1 },
      ],
    });
    assert.equal(sameMeaning.status, 201, 'the same request written another way is the same request');
    assert.equal((sameMeaning.body as Order).orderId, orderId);
    const otherCustomer = await milkround.request('POST', '/orders/standing', {
      ...body,
      customerId: 'uk-pia',
    });
    assert.equal(otherCustomer.status, 409);

    const unsafe = await milkround.request('POST', '/orders/standing', { ...body, orderId: 'has spaces' });
    assert.equal(unsafe.status, 400);
    assert.match(JSON.stringify(unsafe.body), /orderId must be 1 to 100 letters, digits/);
  });

  it('refuses a product the region does not sell, naming it and the ones it does', async () => {
    const placed = await oneOff('uk-ann', '2026-11-26', [{ sku: 'cheese', quantity: 1 }]);
    assert.equal(placed.status, 400);
    assert.match(
      (placed.body as Problem).detail,
      /No product "cheese" is sold in the UK; choose from .*milk-1pt/,
    );
  });

  it('takes one-off orders until 20:00 London time the day before, then refuses with the cut-off', async () => {
    clock.set('2026-11-23T19:59:59Z');
    assert.equal((await oneOff('uk-ann', '2026-11-24', milk(1))).status, 201);
    clock.set('2026-11-23T20:00:00Z');
    const late = await oneOff('uk-ann', '2026-11-24', milk(1));
    assert.equal(late.status, 409);
    const problem = late.body as Problem;
    assert.equal(problem.title, 'Past the cut-off');
    assert.match(problem.detail, /closed at 20:00 Europe\/London on 2026-11-23 \(2026-11-23T20:00:00.000Z\)/);
    assert.match(problem.detail, /first date still open in the UK is 2026-11-25/);
  });

  it('keeps New York orders open until 20:00 New York time, after midnight UTC', async () => {
    clock.set('2026-11-24T00:59:00Z');
    assert.equal((await oneOff('us-bob', '2026-11-24', milk(1))).status, 201);
    clock.set('2026-11-24T01:00:00Z');
    const late = await oneOff('us-bob', '2026-11-24', milk(1));
    assert.equal(late.status, 409);
    assert.match((late.body as Problem).detail, /20:00 America\/New_York on 2026-11-23/);
  });

  it('amends and cancels a one-off order before its cut-off only', async () => {
    clock.set(monday);
    const kept = (await oneOff('uk-ann', '2026-11-25', [{ sku: 'oat-1l', quantity: 1 }])).body as Order;
    const dropped = (await oneOff('uk-ann', '2026-11-25', [{ sku: 'orange-1l', quantity: 1 }])).body as Order;
    const amended = await milkround.request('PATCH', `/orders/${kept.orderId}`, { lines: milk(1) });
    assert.equal(amended.status, 200);
    assert.deepEqual((amended.body as Order).lines, [{ sku: 'milk-1pt', quantity: 1, unitPriceMinor: 86 }]);
    const cancelled = await milkround.request('DELETE', `/orders/${dropped.orderId}`);
    assert.equal(cancelled.status, 200);
    assert.equal((cancelled.body as Order).status, 'cancelled');
    const again = await milkround.request('DELETE', `/orders/${dropped.orderId}`);
    assert.equal(again.status, 409);
    assert.match((again.body as Problem).detail, /was cancelled at/);

    clock.set('2026-11-24T20:00:00Z');
    const lateAmend = await milkround.request('PATCH', `/orders/${kept.orderId}`, { lines: milk(5) });
    assert.equal(lateAmend.status, 409);
    assert.match((lateAmend.body as Problem).detail, /closed at 20:00 Europe\/London on 2026-11-24/);
    assert.equal((await milkround.request('DELETE', `/orders/${kept.orderId}`)).status, 409);
    assert.deepEqual(((await milkround.request('GET', `/orders/${kept.orderId}`)).body as Order).lines, [
      { sku: 'milk-1pt', quantity: 1, unitPriceMinor: 86 },
    ]);
  });

  it('changes a standing order only while its next delivery is open', async () => {
    clock.set(monday);
    const order = (await standing('uk-ann', ['tue'], [{ sku: 'butter-250g', quantity: 1 }])).body as Order;
    clock.set('2026-11-23T20:30:00Z');
    const late = await milkround.request('PATCH', `/orders/${order.orderId}`, { lines: milk(1) });
    assert.equal(late.status, 409);
    assert.match(
      (late.body as Problem).detail,
      /next delivery of standing order .* is on 2026-11-24 \(tue\)/,
    );
    assert.equal((await milkround.request('DELETE', `/orders/${order.orderId}`)).status, 409);
    // Past midnight in London the next delivery is a week on, so changes are open again.
    clock.set('2026-11-24T00:30:00Z');
    const cancelled = await milkround.request('DELETE', `/orders/${order.orderId}`);
    assert.equal(cancelled.status, 200);
    assert.equal((cancelled.body as Order).endsBefore, '2026-11-25');
  });

  it('lists one merged order per customer due on a date, skipping paused and ended members and cancelled orders', async () => {
    clock.set(monday);
    const pia = (await standing('uk-pia', ['wed'], milk(2))).body as Order;
    const eve = (await standing('uk-eve', ['wed'], milk(1))).body as Order;
    const gone = (await standing('uk-ann', ['wed'], [{ sku: 'orange-1l', quantity: 1 }])).body as Order;
    assert.equal((await milkround.request('DELETE', `/orders/${gone.orderId}`)).status, 200);

    const before = await list('2026-11-25');
    assert.deepEqual(before.orders.map((each) => each.customerId).sort(), [
      'uk-ann',
      'uk-eve',
      'uk-pia',
      'us-bob',
    ]);
    const ann = before.orders.find((each) => each.customerId === 'uk-ann');
    // The Monday/Wednesday standing order and the amended one-off for the 25th, merged; not the cancelled one.
    assert.deepEqual(ann?.lines, [
      { sku: 'eggs-6', quantity: 1, unitPriceMinor: 234 },
      { sku: 'milk-1pt', quantity: 4, unitPriceMinor: 86 },
    ]);
    assert.equal(ann?.orderIds.length, 2);
    assert.ok(!ann?.orderIds.includes(gone.orderId));
    assert.equal(before.orders.find((each) => each.customerId === 'us-bob')?.region, 'US');

    await bus().publish(MembershipPaused, { customerId: 'uk-pia', pausedAt: monday });
    await bus().publish(MembershipEnded, { customerId: 'uk-eve', reason: 'cancelled', endedAt: monday });
    await eventually(async () =>
      ((await milkround.request('GET', `/orders/${eve.orderId}`)).body as Order).status === 'stopped'
        ? true
        : undefined,
    );
    const during = await eventually(async () => {
      const listed = await list('2026-11-25');
      return listed.orders.some((each) => each.customerId === 'uk-pia') ? undefined : listed;
    });
    assert.deepEqual(during.orders.map((each) => each.customerId).sort(), ['uk-ann', 'us-bob']);
    const refused = await standing('uk-eve', ['wed'], milk(1));
    assert.equal(refused.status, 409);
    assert.equal((refused.body as Problem).title, 'Membership ended');

    // Resumed, pia is delivered again; eve joins again, but the orders her ended membership stopped stay stopped.
    await bus().publish(MembershipResumed, { customerId: 'uk-pia', resumedAt: monday });
    await joinMember('uk-eve', 'UK', 0);
    const after = await eventually(async () => {
      const listed = await list('2026-11-25');
      return listed.orders.some((each) => each.customerId === 'uk-pia') ? listed : undefined;
    });
    assert.deepEqual(after.orders.map((each) => each.customerId).sort(), ['uk-ann', 'uk-pia', 'us-bob']);
    assert.deepEqual(after.orders.find((each) => each.customerId === 'uk-pia')?.orderIds, [pia.orderId]);
  });

  it('answers with an empty list for a date nobody ordered for', async () => {
    const listed = await list('2026-11-29');
    assert.equal(listed.deliveryDate, '2026-11-29');
    assert.deepEqual(listed.orders, []);
  });
});
