import {
  type ConsumeContext,
  consumer,
  type ReceiveEndpointDefinition,
  receiveEndpoint,
  transactional,
  transactionOf,
  uuidv7,
} from '@switchyard/bus';
import type { ModuleServices } from '@switchyard/host';
import type { SqlTransaction } from '@switchyard/postgres';
import {
  MemberJoined,
  MembershipEnded,
  MembershipPaused,
  MembershipRenewed,
  MembershipResumed,
} from './contracts.ts';
import type { Member } from './member.ts';
import { MemberRepository } from './member-repository.ts';
import {
  beginGrace,
  change,
  type Decision,
  join,
  lapse,
  type MembershipChange,
} from './membership-lifecycle.ts';
import {
  BeginGracePeriod,
  ChangeMembership,
  commandEndpoint,
  JoinMembership,
  LapseMembership,
  MembershipCommandAnswered,
  RenewalPeriodStarted,
  RenewalsStopped,
  renewalEndpoint,
} from './membership-messages.ts';
import { viewOf } from './membership-view.ts';

/**
 * The only writer of the members table. Each command runs in one transaction with the row it changes,
 * the events it publishes, the saga messages it sends and its answer to the route that asked, so a
 * membership and what the other modules hear about it never disagree.
 */
export function membershipCommandsEndpoint(
  services: ModuleServices,
  settings: { readonly periodMs: number },
): ReceiveEndpointDefinition {
  const members = new MemberRepository(services.schema);
  const now = () => new Date(services.now());
  const renewals = `queue:${renewalEndpoint}`;

  const answer = async (context: ConsumeContext, decision: Decision) =>
    context.respond(
      MembershipCommandAnswered,
      decision.kind === 'refused'
        ? { membership: null, refusal: decision.refusal }
        : { membership: viewOf(decision.member), refusal: null },
    );

  const startPeriod = (context: ConsumeContext, member: Member) =>
    context.send(renewals, RenewalPeriodStarted, {
      membershipId: member.membershipId,
      customerId: member.customerId,
      periodEndsAt: member.periodEndsAt.toISOString(),
    });

  const announce = async (context: ConsumeContext, what: MembershipChange, member: Member) => {
    const at = now().toISOString();
    const customerId = member.customerId;
    switch (what) {
      case 'pause':
        return context.publish(MembershipPaused, { customerId, pausedAt: at });
      case 'resume':
        return context.publish(MembershipResumed, { customerId, resumedAt: at });
      case 'cancel':
        await context.publish(MembershipEnded, {
          customerId,
          reason: 'cancelled',
          endedAt: member.endedAt?.toISOString() ?? at,
        });
        return context.send(renewals, RenewalsStopped, { membershipId: member.membershipId });
      case 'renew':
        await context.publish(MembershipRenewed, {
          customerId,
          periodEndsAt: member.periodEndsAt.toISOString(),
        });
        return startPeriod(context, member);
    }
  };

  return receiveEndpoint(commandEndpoint, {
    middleware: [transactional(services.transactional)],
    consumers: [
      consumer(JoinMembership, async (request, context) => {
        const tx = transactionOf<SqlTransaction>(context);
        const plans = await members.plans(tx);
        const plan = plans.find((each) => each.plan === request.plan);
        const decide = (existing: Member | undefined) =>
          join(existing, plan, plans, request, {
            now: now(),
            periodMs: settings.periodMs,
            membershipId: uuidv7(),
          });
        let decision = decide(await members.find(tx, request.customerId, true));
        if (decision.kind === 'changed' && !(await members.insertJoined(tx, decision.member, now()))) {
          // Another join for this customer committed since the read: this one is refused as if it came second.
          decision = decide(await members.find(tx, request.customerId, true));
          if (decision.kind === 'changed') {
            throw new Error(
              `Customer "${request.customerId}" could neither be inserted nor found; retrying the join`,
            );
          }
        }
        if (decision.kind === 'changed') {
          const member = decision.member;
          await context.publish(MemberJoined, {
            customerId: member.customerId,
            name: member.name,
            region: member.region,
            postcode: member.postcode,
            plan: member.plan,
            discountPercent: member.discountPercent,
            joinedAt: member.joinedAt.toISOString(),
          });
          await startPeriod(context, member);
        }
        await answer(context, decision);
      }),
      consumer(ChangeMembership, async (request, context) => {
        const tx = transactionOf<SqlTransaction>(context);
        const member = await members.find(tx, request.customerId, true);
        const decision = change(member, request.customerId, request.change, {
          now: now(),
          periodMs: settings.periodMs,
        });
        if (decision.kind === 'changed') {
          await members.update(tx, decision.member, now());
          await announce(context, request.change, decision.member);
        }
        await answer(context, decision);
      }),
      consumer(BeginGracePeriod, async (command, context) => {
        const tx = transactionOf<SqlTransaction>(context);
        const member = await members.findByMembership(tx, command.membershipId);
        const inGrace =
          member && beginGrace(member, new Date(command.periodEndsAt), new Date(command.graceEndsAt));
        if (!inGrace) {
          context.logger.info(
            { membershipId: command.membershipId },
            'Renewal due for a period already renewed or ended; nothing to do',
          );
          return;
        }
        await members.update(tx, inGrace, now());
      }),
      consumer(LapseMembership, async (command, context) => {
        const tx = transactionOf<SqlTransaction>(context);
        const member = await members.findByMembership(tx, command.membershipId);
        const lapsed = member && lapse(member, new Date(command.periodEndsAt), now());
        if (!lapsed) {
          context.logger.info(
            { membershipId: command.membershipId },
            'Grace ran out for a period already renewed or ended; nothing to do',
          );
          return;
        }
        await members.update(tx, lapsed, now());
        await context.publish(MembershipEnded, {
          customerId: lapsed.customerId,
          reason: 'lapsed',
          endedAt: (lapsed.endedAt ?? now()).toISOString(),
        });
      }),
    ],
  });
}
