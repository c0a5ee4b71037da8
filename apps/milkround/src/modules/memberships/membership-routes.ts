import { type ModuleServices, type RouteDefinition, route, storable } from '@switchyard/host';
import { z } from 'zod';
import { CommandFailed, failuresOf, failureView } from '../../shared/command-failures.ts';
import { Region } from './contracts.ts';
import type { Member } from './member.ts';
import { MemberRepository } from './member-repository.ts';
import type { MembershipChange } from './membership-lifecycle.ts';
import { ChangeMembership, JoinMembership } from './membership-messages.ts';
import { membershipProblems, notAMember } from './membership-problems.ts';
import { ask } from './membership-requests.ts';
import { MembershipView, viewOf } from './membership-view.ts';

const JoinBody = z.object({
  customerId: storable.id(),
  name: storable.text({ max: 200 }),
  region: Region,
  postcode: storable.text({ max: 20 }),
  plan: storable.text({ max: 100 }),
});

const CustomerParams = z.object({ customerId: storable.id() });

/** The kinds of failure recorded for a membership's follow-up work, which runs after the 201. */
export const renewalFailure = 'renewals' as const;
export const joinAnnouncementFailure = 'join-announcement' as const;

const FollowUpFailed = CommandFailed.extend({
  /** Which follow-up failed: timing the renewals, or telling another module of the join. */
  step: z.enum([renewalFailure, joinAnnouncementFailure]),
});

/** A membership, and the follow-up work of its join that failed for good (null: none did). */
const MembershipStatus = MembershipView.extend({
  failure: FollowUpFailed.nullable().describe(
    'Work that follows the join and failed for good, with the reason and the error queue entry; null when none did',
  ),
});

const PlanView = z.object({ plan: z.string(), description: z.string(), discountPercent: z.number().int() });

function changeRoute(services: ModuleServices, what: MembershipChange, summary: string): RouteDefinition {
  return route({
    method: 'POST',
    url: `/memberships/:customerId/${what}`,
    summary,
    tags: ['memberships'],
    params: CustomerParams,
    responses: {
      200: { description: 'The membership afterwards', schema: MembershipView },
      404: { description: 'The customer never joined', problems: [membershipProblems.notFound] },
      409: {
        description: 'The membership is in a state that does not allow this',
        problems: [membershipProblems.ended, membershipProblems.alreadyPaused, membershipProblems.notPaused],
      },
      503: {
        description: 'The memberships endpoint did not answer in time',
        problems: [membershipProblems.noAnswer],
      },
    },
    handler: async ({ params }) => ({
      status: 200,
      body: await ask(services, ChangeMembership, { customerId: params.customerId, change: what }),
    }),
  });
}

/** The memberships routes: join, look up, pause, resume, cancel, renew, and the plans on offer. */
export function membershipRoutes(services: ModuleServices): RouteDefinition[] {
  const members = new MemberRepository(services.schema);
  /** The latest failure of this membership's follow-up work: older memberships of the customer are not its. */
  const failureOf = async (member: Member): Promise<z.infer<typeof FollowUpFailed> | null> => {
    const [renewals, announcements] = await Promise.all([
      failuresOf(services.sql, services.schema, renewalFailure, member.customerId),
      failuresOf(services.sql, services.schema, joinAnnouncementFailure, member.customerId),
    ]);
    const joinedAt = member.joinedAt.toISOString();
    const failures = [
      ...renewals
        .filter((each) => each.commandId === member.membershipId)
        .map((each) => ({ ...failureView(each), step: renewalFailure })),
      ...announcements
        .filter((each) => each.commandId === joinedAt)
        .map((each) => ({ ...failureView(each), step: joinAnnouncementFailure })),
    ].sort((one, other) => other.failedAt.localeCompare(one.failedAt));
    return failures[0] ?? null;
  };
  return [
    route({
      method: 'POST',
      url: '/memberships',
      summary: 'Join: the membership starts now and runs for one paid period',
      tags: ['memberships'],
      body: JoinBody,
      responses: {
        201: { description: 'The new membership', schema: MembershipView },
        400: {
          description: 'Invalid request, or a plan that is not offered',
          problems: [membershipProblems.planUnknown],
        },
        409: { description: 'The customer is a member already', problems: [membershipProblems.exists] },
        503: {
          description: 'The memberships endpoint did not answer in time',
          problems: [membershipProblems.noAnswer],
        },
      },
      handler: async ({ body }) => {
        const membership = await ask(services, JoinMembership, body);
        return {
          status: 201,
          body: membership,
          headers: { location: `/memberships/${encodeURIComponent(membership.customerId)}` },
        };
      },
    }),
    route({
      method: 'GET',
      url: '/memberships/:customerId',
      summary:
        "A customer's membership, and the follow-up work of its join that failed for good (reason and error queue entry)",
      tags: ['memberships'],
      params: CustomerParams,
      responses: {
        200: { description: 'The membership', schema: MembershipStatus },
        404: { description: 'The customer never joined', problems: [membershipProblems.notFound] },
      },
      handler: async ({ params }) => {
        const member = await members.find(services.sql, params.customerId);
        if (!member) {
          throw notAMember(params.customerId);
        }
        return { status: 200, body: { ...viewOf(member), failure: await failureOf(member) } };
      },
    }),
    changeRoute(services, 'pause', 'Pause deliveries (the paid period keeps running)'),
    changeRoute(services, 'resume', 'Resume deliveries after a pause'),
    changeRoute(services, 'cancel', 'Cancel the membership: standing orders stop'),
    changeRoute(services, 'renew', 'Payment received: the membership runs one more period (ends grace)'),
    route({
      method: 'GET',
      url: '/plans',
      summary: 'The membership plans on offer',
      tags: ['memberships'],
      responses: { 200: { description: 'The plans', schema: z.array(PlanView) } },
      handler: async () => ({ status: 200, body: await members.plans(services.sql) }),
    }),
  ];
}
