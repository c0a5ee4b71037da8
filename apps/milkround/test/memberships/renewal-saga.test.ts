import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PostgresSagaStore } from '@switchyard/postgres';
import { SagaInspector } from '@switchyard/saga';
import { membershipsModule } from '../../src/modules/memberships/module.ts';
import { renewalSaga } from '../../src/modules/memberships/renewal-saga.ts';
import {
  eventually,
  type RunningMilkround,
  startMilkround,
  type TestClock,
} from '../support/milkround-host.ts';
import { membershipWatcher } from './membership-watcher.ts';

interface Membership {
  membershipId: string;
  status: string;
  inGrace: boolean;
  periodEndsAt: string;
  graceEndsAt: string | null;
  endedReason: string | null;
}

const periodMs = 300;
// Grace long enough for a renewal to land in it on a busy machine.
const graceMs = 600;

/** The durable scheduler runs on real time, so here the module's clock does too. */
function realClock(): TestClock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    set: (time) => {
      offset = new Date(time).getTime() - Date.now();
    },
    advance: (ms) => {
      offset += ms;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the renewal saga', () => {
  const watcher = membershipWatcher();
  let milkround: RunningMilkround;

  before(async () => {
    milkround = await startMilkround({
      modules: [membershipsModule({ periodMs, graceMs }), watcher.module],
      clock: realClock(),
    });
  });
  after(() => milkround?.stop());

  const join = async (customerId: string) => {
    const joined = await milkround.request('POST', '/memberships', {
      customerId,
      name: 'Sam Jones',
      region: 'US',
      postcode: '10001',
      plan: 'basic',
    });
    assert.equal(joined.status, 201);
    return joined.body as Membership;
  };
  const read = async (customerId: string) =>
    (await milkround.request('GET', `/memberships/${customerId}`)).body as Membership;

  it('moves an unpaid membership into grace at the period end, then lapses it', async () => {
    const joined = await join('c-lapse');
    const inGrace = await eventually(async () => {
      const now = await read('c-lapse');
      return now.inGrace ? now : undefined;
    });
    assert.equal(inGrace.status, 'active');
    assert.equal(inGrace.graceEndsAt, new Date(Date.parse(joined.periodEndsAt) + graceMs).toISOString());
    const ended = await eventually(async () => {
      const now = await read('c-lapse');
      return now.status === 'ended' ? now : undefined;
    });
    assert.equal(ended.endedReason, 'lapsed');
    assert.equal(ended.inGrace, false);
    const [event] = await eventually(async () => {
      const found = watcher.of('c-lapse', 'MembershipEnded');
      return found.length > 0 ? found : undefined;
    });
    assert.equal(event?.message.reason, 'lapsed');
    const renew = await milkround.request('POST', '/memberships/c-lapse/renew');
    assert.equal(renew.status, 409);
  });

  it('reactivates a membership renewed during grace, and it does not lapse when that grace runs out', async () => {
    const joined = await join('c-late');
    const inGrace = await eventually(async () => {
      const now = await read('c-late');
      return now.inGrace ? now : undefined;
    });
    const renewed = await milkround.request('POST', '/memberships/c-late/renew');
    assert.equal(renewed.status, 200);
    const body = renewed.body as Membership;
    assert.equal(body.status, 'active');
    assert.equal(body.inGrace, false);
    assert.equal(body.periodEndsAt, new Date(Date.parse(joined.periodEndsAt) + periodMs).toISOString());
    // Paid well ahead, so even on a busy machine the new periods outlast the grace it was in.
    for (let more = 0; more < 4; more += 1) {
      assert.equal((await milkround.request('POST', '/memberships/c-late/renew')).status, 200);
    }
    await sleep(Date.parse(inGrace.graceEndsAt ?? '') - Date.now() + 100);
    const later = await read('c-late');
    assert.equal(later.status, 'active');
    assert.equal(later.periodEndsAt, new Date(Date.parse(joined.periodEndsAt) + 5 * periodMs).toISOString());
    assert.notEqual(later.graceEndsAt, inGrace.graceEndsAt);
    assert.deepEqual(watcher.of('c-late', 'MembershipEnded'), []);
    await eventually(async () => (watcher.of('c-late', 'MembershipRenewed').length === 5 ? true : undefined));
  });

  it('stops timing a cancelled membership: it ends once, cancelled, never lapsed', async () => {
    const joined = await join('c-quit');
    const cancelled = await milkround.request('POST', '/memberships/c-quit/cancel');
    assert.equal(cancelled.status, 200);
    const sql = milkround.host.sql;
    assert.ok(sql);
    const inspector = new SagaInspector(renewalSaga({ graceMs }), {
      store: new PostgresSagaStore(sql),
      transactions: sql,
    });
    const saga = await eventually(async () => {
      const view = await inspector.find({ id: joined.membershipId });
      return view && view.state === undefined ? view : undefined;
    });
    assert.deepEqual(
      saga.timeline.map((step) => step.event),
      ['periodStarted', 'stopped'],
    );
    await sleep(periodMs + graceMs + 200);
    const ended = watcher.of('c-quit', 'MembershipEnded');
    assert.deepEqual(
      ended.map((each) => each.message.reason),
      ['cancelled'],
    );
    assert.equal((await read('c-quit')).endedReason, 'cancelled');
  });
});
