import { defineMessage } from '@switchyard/bus';
import { storable } from '@switchyard/host';
import { z } from 'zod';
import { Region } from './contracts.ts';
import { MembershipView } from './membership-view.ts';

// The module's own messages between its routes, its command endpoint and its renewal saga. They are
// not contracts: no other module may rely on them, so they can change with the module.

/** The endpoint that owns the members table; every change of a membership is decided there. */
export const commandEndpoint = 'memberships';
/** The renewal saga's endpoint. */
export const renewalEndpoint = 'memberships-renewal';

/** A customer asks to join (a request: the endpoint answers with MembershipCommandAnswered). */
export const JoinMembership = defineMessage(
  'milkround.memberships.JoinMembership',
  z.object({
    customerId: storable.id(),
    name: storable.text(),
    region: Region,
    postcode: storable.text(),
    plan: storable.text(),
  }),
);

/** A member asks to pause, resume, cancel, or has paid for the next period (a request). */
export const ChangeMembership = defineMessage(
  'milkround.memberships.ChangeMembership',
  z.object({ customerId: storable.id(), change: z.enum(['pause', 'resume', 'cancel', 'renew']) }),
);

/** The answer to JoinMembership and ChangeMembership: the membership afterwards, or why nothing changed. */
export const MembershipCommandAnswered = defineMessage(
  'milkround.memberships.MembershipCommandAnswered',
  z.object({
    membership: MembershipView.nullable(),
    refusal: z
      .object({
        // Optional: an endpoint of an older version answers without one.
        code: storable.text().optional(),
        status: z.union([z.literal(400), z.literal(404), z.literal(409)]),
        title: storable.text(),
        detail: storable.text(),
      })
      .nullable(),
  }),
);

/** A paid period began (on joining or renewing): the saga times its end. */
export const RenewalPeriodStarted = defineMessage(
  'milkround.memberships.RenewalPeriodStarted',
  z.object({ membershipId: storable.id(), customerId: storable.id(), periodEndsAt: storable.timestamp() }),
);

/** The membership ended by the member's choice: the saga stops timing it. */
export const RenewalsStopped = defineMessage(
  'milkround.memberships.RenewalsStopped',
  z.object({ membershipId: storable.id() }),
);

/** The saga's timeout at the end of a paid period. */
export const RenewalDue = defineMessage(
  'milkround.memberships.RenewalDue',
  z.object({ membershipId: storable.id(), periodEndsAt: storable.timestamp() }),
);

/** The saga's timeout at the end of the grace period. */
export const GraceExpired = defineMessage(
  'milkround.memberships.GraceExpired',
  z.object({ membershipId: storable.id(), periodEndsAt: storable.timestamp() }),
);

/** From the saga: the period `periodEndsAt` ended unpaid, so the member is in grace until `graceEndsAt`. */
export const BeginGracePeriod = defineMessage(
  'milkround.memberships.BeginGracePeriod',
  z.object({
    membershipId: storable.id(),
    periodEndsAt: storable.timestamp(),
    graceEndsAt: storable.timestamp(),
  }),
);

/** From the saga: the grace after period `periodEndsAt` ran out; the membership lapses unless renewed meanwhile. */
export const LapseMembership = defineMessage(
  'milkround.memberships.LapseMembership',
  z.object({ membershipId: storable.id(), periodEndsAt: storable.timestamp() }),
);
