import { z } from 'zod';
import { Region } from './contracts.ts';
import type { Member } from './member.ts';

/** A membership as the routes show it (and as the command endpoint answers with it). */
export const MembershipView = z.object({
  customerId: z.string(),
  membershipId: z.string(),
  name: z.string(),
  region: Region,
  postcode: z.string(),
  plan: z.string(),
  discountPercent: z.number().int(),
  /** `paused` members get no deliveries; `ended` is for good (a later join starts a new membership). */
  status: z.enum(['active', 'paused', 'ended']),
  /** True while the paid period is over and the member may still renew until `graceEndsAt`. */
  inGrace: z.boolean(),
  joinedAt: z.string(),
  periodEndsAt: z.string(),
  graceEndsAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  endedReason: z.enum(['cancelled', 'lapsed']).nullable(),
});
export type MembershipView = z.infer<typeof MembershipView>;

export function viewOf(member: Member): MembershipView {
  return {
    customerId: member.customerId,
    membershipId: member.membershipId,
    name: member.name,
    region: member.region,
    postcode: member.postcode,
    plan: member.plan,
    discountPercent: member.discountPercent,
    status: member.status,
    inGrace: member.graceEndsAt !== undefined,
    joinedAt: member.joinedAt.toISOString(),
    periodEndsAt: member.periodEndsAt.toISOString(),
    graceEndsAt: member.graceEndsAt?.toISOString() ?? null,
    endedAt: member.endedAt?.toISOString() ?? null,
    endedReason: member.endedReason ?? null,
  };
}
