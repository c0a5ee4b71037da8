import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Member, Plan } from '../../src/modules/memberships/member.ts';
import { beginGrace, change, join, lapse } from '../../src/modules/memberships/membership-lifecycle.ts';

const plans: Plan[] = [
  { plan: 'basic', description: '', discountPercent: 0 },
  { plan: 'plus', description: '', discountPercent: 10 },
];
const now = new Date('2026-11-23T10:00:00Z');
const periodMs = 1_000;
const member: Member = {
  customerId: 'c-1',
  membershipId: 'm-1',
  name: 'Pat',
  region: 'UK',
  postcode: 'BS1 4DJ',
  plan: 'plus',
  discountPercent: 10,
  status: 'active',
  joinedAt: now,
  periodEndsAt: new Date(now.getTime() + periodMs),
  graceEndsAt: undefined,
  endedAt: undefined,
  endedReason: undefined,
};
const request = { customerId: 'c-1', name: 'Pat', region: 'UK' as const, postcode: 'BS1 4DJ', plan: 'plus' };

describe('membership lifecycle', () => {
  it('takes the discount from the plan and starts a period on joining', () => {
    const decision = join(undefined, plans[1], plans, request, { now, periodMs, membershipId: 'm-9' });
    assert.equal(decision.kind, 'changed');
    if (decision.kind !== 'changed') return;
    assert.equal(decision.member.discountPercent, 10);
    assert.equal(decision.member.periodEndsAt.getTime(), now.getTime() + periodMs);
  });

  it('lets an ended membership be joined again but not a paused one', () => {
    const ended = { ...member, status: 'ended' as const, endedReason: 'lapsed' as const };
    assert.equal(
      join(ended, plans[0], plans, request, { now, periodMs, membershipId: 'm-2' }).kind,
      'changed',
    );
    const paused = join({ ...member, status: 'paused' }, plans[0], plans, request, {
      now,
      periodMs,
      membershipId: 'm-2',
    });
    assert.equal(paused.kind === 'refused' && paused.refusal.status, 409);
  });

  it('renews from the end of the paid period, also when paying during grace', () => {
    const inGrace = { ...member, graceEndsAt: new Date(member.periodEndsAt.getTime() + 500) };
    const renewed = change(inGrace, 'c-1', 'renew', { now: new Date(now.getTime() + 1_200), periodMs });
    assert.equal(renewed.kind, 'changed');
    if (renewed.kind !== 'changed') return;
    assert.equal(renewed.member.periodEndsAt.getTime(), member.periodEndsAt.getTime() + periodMs);
    assert.equal(renewed.member.graceEndsAt, undefined);
  });

  it('ignores grace and lapse for a period that was renewed meanwhile', () => {
    const renewed = { ...member, periodEndsAt: new Date(member.periodEndsAt.getTime() + periodMs) };
    assert.equal(beginGrace(renewed, member.periodEndsAt, new Date()), undefined);
    assert.equal(lapse({ ...renewed, graceEndsAt: new Date() }, member.periodEndsAt, now), undefined);
    const inGrace = beginGrace(member, member.periodEndsAt, new Date(member.periodEndsAt.getTime() + 500));
    assert.ok(inGrace);
    assert.equal(lapse(inGrace, member.periodEndsAt, now)?.endedReason, 'lapsed');
  });

  it('keeps pausing apart from grace: a paused member in grace can still renew, an ended one cannot', () => {
    const pausedInGrace = { ...member, status: 'paused' as const, graceEndsAt: new Date() };
    assert.equal(change(pausedInGrace, 'c-1', 'renew', { now, periodMs }).kind, 'changed');
    const ended = change(
      { ...member, status: 'ended', endedReason: 'cancelled', endedAt: now },
      'c-1',
      'renew',
      {
        now,
        periodMs,
      },
    );
    assert.equal(ended.kind, 'refused');
    assert.match(ended.kind === 'refused' ? ended.refusal.detail : '', /join again with POST \/memberships/);
  });
});
