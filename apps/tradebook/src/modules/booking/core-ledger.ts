import type { Posting } from './contracts.ts';

/** What the core answered to a posting it received. */
export type PostOutcome =
  | { readonly kind: 'booked'; readonly sequence: number; readonly businessDate: string }
  | { readonly kind: 'rejected'; readonly code: string; readonly reason: string }
  /** The core is in its batch window and takes no postings: nothing was booked. */
  | { readonly kind: 'closed'; readonly reason: string };

/** A posting the core holds for a client reference, as its enquiry reports it. */
export interface BookedPosting {
  readonly sequence: number;
  readonly businessDate: string;
}

/**
 * The core ledger as booking needs it. `post` either answers, or throws `CoreOutcomeUnknownError` (the
 * posting may have been booked: a timeout, a connection lost after sending) or `CoreUnavailableError`
 * (it was not sent). It never sends a posting again by itself. `enquire` is the only way to learn
 * whether a posting whose outcome is unknown was booked.
 */
export interface CoreLedger {
  post(posting: Posting): Promise<PostOutcome>;
  enquire(clientRef: string): Promise<readonly BookedPosting[]>;
}
