import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PostgresSagaStore } from '@switchyard/postgres';
import { SagaInspector, type SagaView } from '@switchyard/saga';
import { membershipsModule } from '../../src/modules/memberships/module.ts';
import { renewalSaga } from '../../src/modules/memberships/renewal-saga.ts';
import {
  eventually,
  type RunningMilkround,
  startMilkround,
  type TestClock,
  testClock,
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

const dayMs = 24 * 60 * 60 * 1000;
const periodMs = 30 * dayMs;
const graceMs = 7 * dayMs;

/**
 * The host's scheduler and the saga read the module's clock, so the tests move time by whole periods
 * and nothing depends on how busy the machine is. The scheduler looks at its table at least once a
 * second, so a timeout fires within about a second of the clock passing it.
 */
function membershipsUnderTest() {
  const watcher = membershipWatcher();
  const clock: TestClock = testClock('2026-11-23T10:00:00Z');
  let running: RunningMilkround | undefined;
  before(async () => {
    running = await startMilkround({
      modules: [membershipsModule({ periodMs, graceMs }), watcher.module],
      clock,
    });
  });
  after(() => running?.stop());
  const milkround = (): RunningMilkround => {
    if (!running) throw new Error('The memberships host has not started');
    return running;
  };
  const join = async (customerId: string) => {
    const joined = await milkround().request('POST', '/memberships', {
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
    (await milkround().request('GET', `/memberships/${customerId}`)).body as Membership;
  const readUntil = (customerId: string, holds: (membership: Membership) => boolean) =>
    eventually(async () => {
      const now = await read(customerId);
      return holds(now) ? now : undefined;
    });
  const saga = async (membershipId: string): Promise<SagaView | undefined> => {
    const sql = milkround().host.sql;
    assert.ok(sql);
    return new SagaInspector(renewalSaga({ graceMs }), {
      store: new PostgresSagaStore(sql),
      transactions: sql,
    }).find({ id: membershipId });
  };
  /** How many timeouts the durable scheduler holds for a membership (its id is in their bodies). */
  const scheduledFor = async (membershipId: string): Promise<number> => {
    const sql = milkround().host.sql;
    assert.ok(sql);
    const { rows } = await sql.query(
      `select count(*)::int as count from switchyard.yard_scheduled where position($1 in convert_from(body, 'UTF8')) > 0`,
      [membershipId],
    );
    return Number(rows[0]?.count);
  };
  return { watcher, clock, milkround, join, read, readUntil, saga, scheduledFor };
}

describe('the renewal saga', () => {
  const { watcher, clock, milkround, join, read, readUntil, saga } = membershipsUnderTest();

  it('moves an unpaid membership into grace at the period end, then lapses it', async () => {
    const joined = await join('c-lapse');
    assert.equal(joined.periodEndsAt, new Date(clock.now() + periodMs).toISOString());
    clock.advance(periodMs - dayMs);
    // A day before the period ends the scheduler has looked at its table and left the timeout there.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal((await read('c-lapse')).inGrace, false);

    clock.advance(dayMs);
    const inGrace = await readUntil('c-lapse', (now) => now.inGrace);
    assert.equal(inGrace.status, 'active');
    assert.equal(inGrace.graceEndsAt, new Date(Date.parse(joined.periodEndsAt) + graceMs).toISOString());

    clock.advance(graceMs);
    const ended = await readUntil('c-lapse', (now) => now.status === 'ended');
    assert.equal(ended.endedReason, 'lapsed');
    assert.equal(ended.inGrace, false);
    const [event] = await eventually(async () => {
      const found = watcher.of('c-lapse', 'MembershipEnded');
      return found.length > 0 ? found : undefined;
    });
    assert.equal(event?.message.reason, 'lapsed');
    const renew = await milkround().request('POST', '/memberships/c-lapse/renew');
    assert.equal(renew.status, 409);
  });

  it('reactivates a membership renewed during grace, and it does not lapse when that grace runs out', async () => {
    const joined = await join('c-late');
    clock.advance(periodMs);
    const inGrace = await readUntil('c-late', (now) => now.inGrace);

    const renewed = await milkround().request('POST', '/memberships/c-late/renew');
    assert.equal(renewed.status, 200);
    const body = renewed.body as Membership;
    assert.equal(body.status, 'active');
    assert.equal(body.inGrace, false);
    const nextPeriodEndsAt = new Date(Date.parse(joined.periodEndsAt) + periodMs).toISOString();
    assert.equal(body.periodEndsAt, nextPeriodEndsAt);
    // The renewal started the next period in the saga, which unscheduled the grace timeout.
    const timing = await eventually(async () => {
      const view = await saga(joined.membershipId);
      return view?.state === 'Active' && !('graceExpired' in view.scheduled) ? view : undefined;
    });
    assert.deepEqual(Object.keys(timing.scheduled), ['renewalDue']);

    // Past the old grace's end, and on to the end of the renewed period: grace again, not a lapse.
    clock.advance(periodMs);
    const graceAgain = await readUntil(
      'c-late',
      (now) => now.inGrace && now.periodEndsAt === nextPeriodEndsAt,
    );
    assert.equal(graceAgain.status, 'active');
    assert.notEqual(graceAgain.graceEndsAt, inGrace.graceEndsAt);
    assert.deepEqual(watcher.of('c-late', 'MembershipEnded'), []);
    await eventually(async () => (watcher.of('c-late', 'MembershipRenewed').length === 1 ? true : undefined));
  });
});

describe('the renewal saga of a cancelled membership', () => {
  const { watcher, clock, milkround, join, read, saga, scheduledFor } = membershipsUnderTest();

  it('stops timing a cancelled membership: it ends once, cancelled, never lapsed', async () => {
    const joined = await join('c-quit');
    await eventually(async () => ((await scheduledFor(joined.membershipId)) === 1 ? true : undefined));
    const cancelled = await milkround().request('POST', '/memberships/c-quit/cancel');
    assert.equal(cancelled.status, 200);
    const finished = await eventually(async () => {
      const view = await saga(joined.membershipId);
      return view && view.state === undefined ? view : undefined;
    });
    assert.deepEqual(
      finished.timeline.map((step) => step.event),
      ['periodStarted', 'stopped'],
    );
    assert.equal(await scheduledFor(joined.membershipId), 0, 'stopping took the renewal timeout back');

    // Past the period and the grace: with nothing scheduled, the membership stays cancelled.
    clock.advance(periodMs + graceMs + dayMs);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const ended = watcher.of('c-quit', 'MembershipEnded');
    assert.deepEqual(
      ended.map((each) => each.message.reason),
      ['cancelled'],
    );
    assert.equal((await read('c-quit')).endedReason, 'cancelled');
  });
});
