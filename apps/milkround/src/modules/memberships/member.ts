import type { Region } from './contracts.ts';

/** Whether a member gets deliveries: `ended` is for good (a later join starts a new membership). */
export type MemberStatus = 'active' | 'paused' | 'ended';

export type EndedReason = 'cancelled' | 'lapsed';

/** A customer's current (or last) membership, as the members table holds it. */
export interface Member {
  readonly customerId: string;
  /** New for every join; the renewal saga of this membership is correlated by it. */
  readonly membershipId: string;
  readonly name: string;
  readonly region: Region;
  readonly postcode: string;
  readonly plan: string;
  readonly discountPercent: number;
  readonly status: MemberStatus;
  readonly joinedAt: Date;
  readonly periodEndsAt: Date;
  /** Present while the paid period is over and the member may still renew. */
  readonly graceEndsAt: Date | undefined;
  readonly endedAt: Date | undefined;
  readonly endedReason: EndedReason | undefined;
}

/** A plan on offer. */
export interface Plan {
  readonly plan: string;
  readonly description: string;
  readonly discountPercent: number;
}
