import { defineMessage } from '@switchyard/bus';
import { z } from 'zod';

// What the memberships module tells the others. Other modules may import this file, and only this file.

/** Where a customer lives decides their time zone, currency and cut-off. */
export const Region = z.enum(['UK', 'US']);
export type Region = z.infer<typeof Region>;

export const MemberJoined = defineMessage(
  'milkround.memberships.MemberJoined',
  z.object({
    customerId: z.string(),
    name: z.string(),
    region: Region,
    postcode: z.string(),
    plan: z.string(),
    /** Off every item the member orders, in whole percent. */
    discountPercent: z.number().int().min(0).max(100),
    joinedAt: z.string(),
  }),
);

export const MembershipPaused = defineMessage(
  'milkround.memberships.MembershipPaused',
  z.object({ customerId: z.string(), pausedAt: z.string() }),
);

export const MembershipResumed = defineMessage(
  'milkround.memberships.MembershipResumed',
  z.object({ customerId: z.string(), resumedAt: z.string() }),
);

/** The member cancelled, or did not renew within the grace period. */
export const MembershipEnded = defineMessage(
  'milkround.memberships.MembershipEnded',
  z.object({ customerId: z.string(), reason: z.enum(['cancelled', 'lapsed']), endedAt: z.string() }),
);

export const MembershipRenewed = defineMessage(
  'milkround.memberships.MembershipRenewed',
  z.object({ customerId: z.string(), periodEndsAt: z.string() }),
);
