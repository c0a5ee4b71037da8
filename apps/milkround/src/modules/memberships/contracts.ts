import { defineMessage } from '@switchyard/bus';
import { storable } from '@switchyard/host';
import { z } from 'zod';

// What the memberships module tells the others. Other modules may import this file, and only this file.

/** Where a customer lives decides their time zone, currency and cut-off. */
export const Region = z.enum(['UK', 'US']);
export type Region = z.infer<typeof Region>;

/** An ISO 4217 currency code: what a customer is priced, charged, refunded and credited in. */
export const Currency = z.enum(['GBP', 'USD']);
export type Currency = z.infer<typeof Currency>;

const currencies: Readonly<Record<Region, Currency>> = { UK: 'GBP', US: 'USD' };

/** The currency of a customer in `region`: every module that shows money asks here (decision 0026). */
export function currencyOf(region: Region): Currency {
  return currencies[region];
}

export const MemberJoined = defineMessage(
  'milkround.memberships.MemberJoined',
  z.object({
    customerId: storable.id(),
    name: storable.text(),
    region: Region,
    postcode: storable.text(),
    plan: storable.text(),
    /** Off every item the member orders, in whole percent. */
    discountPercent: z.number().int().min(0).max(100),
    joinedAt: storable.timestamp(),
  }),
);

export const MembershipPaused = defineMessage(
  'milkround.memberships.MembershipPaused',
  z.object({ customerId: storable.id(), pausedAt: storable.timestamp() }),
);

export const MembershipResumed = defineMessage(
  'milkround.memberships.MembershipResumed',
  z.object({ customerId: storable.id(), resumedAt: storable.timestamp() }),
);

/** The member cancelled, or did not renew within the grace period. */
export const MembershipEnded = defineMessage(
  'milkround.memberships.MembershipEnded',
  z.object({
    customerId: storable.id(),
    reason: z.enum(['cancelled', 'lapsed']),
    endedAt: storable.timestamp(),
  }),
);

export const MembershipRenewed = defineMessage(
  'milkround.memberships.MembershipRenewed',
  z.object({ customerId: storable.id(), periodEndsAt: storable.timestamp() }),
);
