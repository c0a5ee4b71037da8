import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { membershipsModule } from '../../src/modules/memberships/module.ts';
import { eventually, type RunningMilkround, startMilkround, testClock } from '../support/milkround-host.ts';
import { membershipWatcher } from './membership-watcher.ts';

interface Membership {
  customerId: string;
  plan: string;
  discountPercent: number;
  status: string;
  inGrace: boolean;
  periodEndsAt: string;
  endedReason: string | null;
}
interface Problem {
  title: string;
  detail: string;
}

const dayMs = 24 * 60 * 60 * 1000;

describe('memberships routes', () => {
  const watcher = membershipWatcher();
  const clock = testClock('2026-11-23T10:00:00Z');
  let milkround: RunningMilkround;

  before(async () => {
    milkround = await startMilkround({ modules: [membershipsModule(), watcher.module], clock, seed: true });
  });
  after(() => milkround?.stop());

  const join = (customerId: string, plan = 'plus', region = 'UK') =>
    milkround.request('POST', '/memberships', {
      customerId,
      name: 'Pat Smith',
      region,
      postcode: 'BS1 4DJ',
      plan,
    });

  it('joins a customer for one period at the plan discount and announces MemberJoined', async () => {
    const joined = await join('c-join');
    assert.equal(joined.status, 201);
    const body = joined.body as Membership;
    assert.equal(body.customerId, 'c-join');
    assert.equal(body.plan, 'plus');
    assert.equal(body.status, 'active');
    assert.equal(body.periodEndsAt, new Date(clock.now() + 30 * dayMs).toISOString());
    const [event] = await eventually(async () => {
      const found = watcher.of('c-join', 'MemberJoined');
      return found.length > 0 ? found : undefined;
    });
    assert.equal(event?.message.discountPercent, 10);
    assert.equal(event?.message.region, 'UK');
    const read = await milkround.request('GET', '/memberships/c-join');
    assert.equal(read.status, 200);
    assert.equal((read.body as Membership).status, 'active');
  });

  it('refuses a second join of a member with 409', async () => {
    await join('c-twice');
    const again = await join('c-twice', 'family');
    assert.equal(again.status, 409);
    assert.match((again.body as Problem).detail, /"c-twice" is already a member/);
    assert.equal(((await milkround.request('GET', '/memberships/c-twice')).body as Membership).plan, 'plus');
  });

  it('refuses an unknown plan with 400 naming it and the plans on offer', async () => {
    const joined = await join('c-gold', 'gold');
    assert.equal(joined.status, 400);
    const problem = joined.body as Problem;
    assert.match(problem.detail, /"gold"/);
    assert.match(problem.detail, /basic \(0% off\), plus \(10% off\), family \(15% off\)/);
    assert.equal((await milkround.request('GET', '/memberships/c-gold')).status, 404);
  });

  it('refuses a region other than UK or US', async () => {
    const joined = await join('c-fr', 'basic', 'FR');
    assert.equal(joined.status, 400);
  });

  it('pauses and resumes, refusing the transitions the state does not allow', async () => {
    await join('c-pause');
    const resumeActive = await milkround.request('POST', '/memberships/c-pause/resume');
    assert.equal(resumeActive.status, 409);
    assert.match((resumeActive.body as Problem).detail, /is active, not paused/);

    const paused = await milkround.request('POST', '/memberships/c-pause/pause');
    assert.equal(paused.status, 200);
    assert.equal((paused.body as Membership).status, 'paused');
    const pausedTwice = await milkround.request('POST', '/memberships/c-pause/pause');
    assert.equal(pausedTwice.status, 409);
    assert.equal((pausedTwice.body as Problem).title, 'Already paused');

    const resumed = await milkround.request('POST', '/memberships/c-pause/resume');
    assert.equal(resumed.status, 200);
    assert.equal((resumed.body as Membership).status, 'active');
    await eventually(async () =>
      watcher.of('c-pause', 'MembershipResumed').length === 1 ? true : undefined,
    );
    assert.deepEqual(
      watcher.of('c-pause').map((each) => each.type),
      ['MemberJoined', 'MembershipPaused', 'MembershipResumed'],
    );
  });

  it('cancels once, announces MembershipEnded cancelled, and refuses every later change', async () => {
    await join('c-cancel');
    const cancelled = await milkround.request('POST', '/memberships/c-cancel/cancel');
    assert.equal(cancelled.status, 200);
    assert.equal((cancelled.body as Membership).status, 'ended');
    assert.equal((cancelled.body as Membership).endedReason, 'cancelled');
    for (const what of ['cancel', 'pause', 'resume', 'renew']) {
      const refused = await milkround.request('POST', `/memberships/c-cancel/${what}`);
      assert.equal(refused.status, 409, what);
      assert.match((refused.body as Problem).detail, /ended at .* \(cancelled\)/, what);
    }
    const [ended] = await eventually(async () => {
      const found = watcher.of('c-cancel', 'MembershipEnded');
      return found.length > 0 ? found : undefined;
    });
    assert.equal(ended?.message.reason, 'cancelled');
  });

  it('lets a customer whose membership ended join again, as a new membership', async () => {
    const first = (await join('c-again')).body as Membership & { membershipId: string };
    await milkround.request('POST', '/memberships/c-again/cancel');
    const rejoined = await join('c-again', 'family');
    assert.equal(rejoined.status, 201);
    const second = rejoined.body as Membership & { membershipId: string };
    assert.equal(second.status, 'active');
    assert.equal(second.plan, 'family');
    assert.notEqual(second.membershipId, first.membershipId);
  });

  it('renews for one more period after the paid one and announces MembershipRenewed', async () => {
    const joined = (await join('c-renew')).body as Membership;
    const renewed = await milkround.request('POST', '/memberships/c-renew/renew');
    assert.equal(renewed.status, 200);
    const body = renewed.body as Membership;
    assert.equal(body.periodEndsAt, new Date(Date.parse(joined.periodEndsAt) + 30 * dayMs).toISOString());
    const [event] = await eventually(async () => {
      const found = watcher.of('c-renew', 'MembershipRenewed');
      return found.length > 0 ? found : undefined;
    });
    assert.equal(event?.message.periodEndsAt, body.periodEndsAt);
  });

  it('answers 404 with a problem for a customer who never joined', async () => {
    const read = await milkround.request('GET', '/memberships/c-nobody');
    assert.equal(read.status, 404);
    assert.match((read.body as Problem).detail, /"c-nobody" has never joined/);
    const paused = await milkround.request('POST', '/memberships/c-nobody/pause');
    assert.equal(paused.status, 404);
  });

  it('lists the plans on offer', async () => {
    const plans = await milkround.request('GET', '/plans');
    assert.deepEqual(
      (plans.body as { plan: string; discountPercent: number }[]).map((each) => [
        each.plan,
        each.discountPercent,
      ]),
      [
        ['basic', 0],
        ['plus', 10],
        ['family', 15],
      ],
    );
  });

  it('seeds the demo members through the join command', async () => {
    const ada = await milkround.request('GET', '/memberships/demo-ada');
    assert.equal(ada.status, 200);
    assert.equal((ada.body as Membership).plan, 'plus');
    const grace = await milkround.request('GET', '/memberships/demo-grace');
    assert.equal((grace.body as Membership & { region: string }).region, 'US');
  });
});
