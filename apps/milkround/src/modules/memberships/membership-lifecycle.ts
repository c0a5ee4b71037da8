import type { ErrorCode } from '@switchyard/bus';
import type { ProblemType } from '@switchyard/host';
import type { Region } from './contracts.ts';
import type { Member, Plan } from './member.ts';
import { membershipProblems, neverJoined } from './membership-problems.ts';

/** Why a command was not applied, as the HTTP answer will say it. */
export interface Refusal {
  /** The refusal's code in the catalogue, which the route's problem carries. */
  readonly code: ErrorCode;
  readonly status: 400 | 404 | 409;
  readonly title: string;
  readonly detail: string;
}

/** The outcome of a member's command: refused with a reason, or the member as it is afterwards. */
export type Decision =
  | { readonly kind: 'refused'; readonly refusal: Refusal }
  | { readonly kind: 'changed'; readonly member: Member };

/** What a customer gives to join. */
export interface JoinRequest {
  readonly customerId: string;
  readonly name: string;
  readonly region: Region;
  readonly postcode: string;
  readonly plan: string;
}

/** The changes a member asks for after joining. */
export type MembershipChange = 'pause' | 'resume' | 'cancel' | 'renew';

const refused = (kind: ProblemType, title: string, detail: string): Decision => ({
  kind: 'refused',
  refusal: { code: kind.code, status: kind.status as Refusal['status'], title, detail },
});

const notMember = (customerId: string): Decision => {
  const { title, detail } = neverJoined(customerId);
  return refused(membershipProblems.notFound, title, detail);
};

function endedDetail(member: Member): string {
  const when = member.endedAt ? ` at ${member.endedAt.toISOString()}` : '';
  return `The membership of customer "${member.customerId}" ended${when} (${member.endedReason ?? 'ended'})`;
}

/**
 * A join: refused for an unknown plan or a customer who is a member already; a customer whose last
 * membership ended starts a new one (with a new membership id).
 */
export function join(
  existing: Member | undefined,
  plan: Plan | undefined,
  plans: readonly Plan[],
  request: JoinRequest,
  context: { readonly now: Date; readonly periodMs: number; readonly membershipId: string },
): Decision {
  if (!plan) {
    const known = plans.map((each) => `${each.plan} (${each.discountPercent}% off)`).join(', ');
    return refused(
      membershipProblems.planUnknown,
      'Unknown plan',
      `Plan "${request.plan}" is not offered; choose one of: ${known}`,
    );
  }
  if (existing && existing.status !== 'ended') {
    return refused(
      membershipProblems.exists,
      'Already a member',
      `Customer "${request.customerId}" is already a member (plan ${existing.plan}, ${existing.status}); change the membership through /memberships/${request.customerId}`,
    );
  }
  return {
    kind: 'changed',
    member: {
      customerId: request.customerId,
      membershipId: context.membershipId,
      name: request.name,
      region: request.region,
      postcode: request.postcode,
      plan: plan.plan,
      discountPercent: plan.discountPercent,
      status: 'active',
      joinedAt: context.now,
      periodEndsAt: new Date(context.now.getTime() + context.periodMs),
      graceEndsAt: undefined,
      endedAt: undefined,
      endedReason: undefined,
    },
  };
}

/** Pause, resume, cancel or renew, or the reason the membership's state does not allow it. */
export function change(
  member: Member | undefined,
  customerId: string,
  what: MembershipChange,
  context: { readonly now: Date; readonly periodMs: number },
): Decision {
  if (!member) return notMember(customerId);
  if (member.status === 'ended') {
    const advice = what === 'renew' ? '; join again with POST /memberships' : '';
    return refused(
      membershipProblems.ended,
      `Cannot ${what} an ended membership`,
      `${endedDetail(member)}${advice}`,
    );
  }
  switch (what) {
    case 'pause':
      if (member.status === 'paused') {
        return refused(
          membershipProblems.alreadyPaused,
          'Already paused',
          `The membership of customer "${customerId}" is paused already; resume it with POST /memberships/${customerId}/resume`,
        );
      }
      return { kind: 'changed', member: { ...member, status: 'paused' } };
    case 'resume':
      if (member.status !== 'paused') {
        return refused(
          membershipProblems.notPaused,
          'Not paused',
          `The membership of customer "${customerId}" is ${member.status}, not paused; only a paused membership can be resumed`,
        );
      }
      return { kind: 'changed', member: { ...member, status: 'active' } };
    case 'cancel':
      return {
        kind: 'changed',
        member: {
          ...member,
          status: 'ended',
          endedAt: context.now,
          endedReason: 'cancelled',
          graceEndsAt: undefined,
        },
      };
    case 'renew':
      // The new period follows the paid one, so paying late in the grace period buys no free days.
      return {
        kind: 'changed',
        member: {
          ...member,
          periodEndsAt: new Date(member.periodEndsAt.getTime() + context.periodMs),
          graceEndsAt: undefined,
        },
      };
  }
}

/**
 * The renewal saga found the period over: the member enters grace, unless the period it saw was renewed
 * (or the membership ended) in the meantime, in which case nothing changes and undefined is returned.
 */
export function beginGrace(member: Member, periodEndsAt: Date, graceEndsAt: Date): Member | undefined {
  if (member.status === 'ended' || member.graceEndsAt) return undefined;
  if (member.periodEndsAt.getTime() !== periodEndsAt.getTime()) return undefined;
  return { ...member, graceEndsAt };
}

/** The grace period ran out: the membership lapses, unless it was renewed or ended meanwhile (undefined). */
export function lapse(member: Member, periodEndsAt: Date, now: Date): Member | undefined {
  if (member.status === 'ended' || !member.graceEndsAt) return undefined;
  if (member.periodEndsAt.getTime() !== periodEndsAt.getTime()) return undefined;
  return { ...member, status: 'ended', endedAt: now, endedReason: 'lapsed', graceEndsAt: undefined };
}
