import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { uuidv7 } from '@switchyard/bus';
import { membershipsModule } from '../../src/modules/memberships/module.ts';
import { ListDueOrders } from '../../src/modules/orders/contracts.ts';
import { ordersModule } from '../../src/modules/orders/module.ts';
import { eventually, type RunningMilkround, startMilkround, testClock } from '../support/milkround-host.ts';
import { dueOrdersWatcher } from './due-orders-watcher.ts';

interface Order {
  orderId: string;
  kind: string;
  lines: { sku: string; quantity: number; unitPriceMinor: number }[];
}

describe('orders with memberships, seeded', () => {
  const watcher = dueOrdersWatcher();
  // Monday 23 November 2026, 10:00 in London.
  const clock = testClock('2026-11-23T10:00:00Z');
  let dataDir: string;
  let milkround: RunningMilkround | undefined;

  const start = () =>
    startMilkround({
      modules: [membershipsModule(), ordersModule(), watcher.module],
      clock,
      seed: true,
      config: { database: { dataDir } },
    });
  const running = () => {
    assert.ok(milkround, 'the host is running');
    return milkround;
  };

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'milkround-orders-'));
    milkround = await start();
  });
  after(async () => {
    await milkround?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('seeds demo members and their orders, priced with the discount memberships announced', async () => {
    const orders = (await running().request('GET', '/customers/demo-ada/orders')).body as Order[];
    assert.equal(orders.length, 1);
    assert.deepEqual(orders[0]?.lines, [
      { sku: 'eggs-6', quantity: 1, unitPriceMinor: 234 },
      { sku: 'milk-1pt', quantity: 2, unitPriceMinor: 86 },
    ]);
    const grace = (await running().request('GET', '/customers/demo-grace/orders')).body as Order[];
    assert.deepEqual(grace.map((each) => each.kind).sort(), ['one-off', 'standing']);
  });

  it('stops listing a member paused through the memberships route', async () => {
    const list = async () => {
      const runId = uuidv7();
      // Wednesday the 25th: demo-ada's standing order delivers on Mondays, Wednesdays and Fridays.
      await running().host.bus?.publish(ListDueOrders, { runId, deliveryDate: '2026-11-25' });
      return eventually(async () => watcher.byRun.get(runId));
    };
    assert.ok((await list()).orders.some((each) => each.customerId === 'demo-ada'));
    assert.equal((await running().request('POST', '/memberships/demo-ada/pause')).status, 200);
    await eventually(async () => {
      const listed = await list();
      return listed.orders.some((each) => each.customerId === 'demo-ada') ? undefined : listed;
    });
    assert.equal((await running().request('POST', '/memberships/demo-ada/resume')).status, 200);
  });

  it('seeds nothing twice when the host starts again on the same data', async () => {
    const before = (await running().request('GET', '/memberships/demo-ada')).body as { membershipId: string };
    await running().stop();
    milkround = undefined;
    milkround = await start();
    const again = (await running().request('GET', '/memberships/demo-ada')).body as { membershipId: string };
    assert.equal(again.membershipId, before.membershipId);
    const orders = (await running().request('GET', '/customers/demo-ada/orders')).body as Order[];
    assert.equal(orders.length, 1);
    const grace = (await running().request('GET', '/customers/demo-grace/orders')).body as Order[];
    assert.equal(grace.length, 2);
  });
});
