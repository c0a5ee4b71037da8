/** What the inbox keeps of a handled message: its id, and a fingerprint of what it carried. */
export interface InboxMessage {
  /** The sender's message id: the key duplicates are found by. */
  readonly messageId: string;
  /**
   * A digest of the message's type and content (see `messageFingerprint`). A second message with the
   * same id but another fingerprint is a different message that reused the id, not a duplicate.
   */
  readonly fingerprint: string;
}

/**
 * What `tryRecord` found: the first record of this message (`recorded`, run the consumer), a committed
 * record of the same message (`duplicate`, acknowledge without running), or a committed record of a
 * different message under the same id (`reused-id`, which must neither run nor vanish).
 */
export type InboxVerdict = 'recorded' | 'duplicate' | 'reused-id';

/** Seven days: how long an inbox remembers a handled message unless configured otherwise. */
export const defaultInboxWindowMs = 7 * 24 * 3_600_000;

/**
 * Remembers which messages each consumer has handled, so that a redelivered message whose effects
 * already committed is acknowledged without running the consumer again (exactly-once effects).
 *
 * The guarantee has a window, `windowMs`: a duplicate that arrives within the window after the first
 * copy was handled is always found. Records are removed once older than the window (never sooner), so
 * past it a duplicate may run again; the bus counts and logs a message sent longer ago than the window,
 * since the inbox can no longer vouch for it.
 */
export interface Inbox<Tx> {
  /** How long a record is kept, and so how late a duplicate can arrive and still be found. */
  readonly windowMs: number;
  /**
   * Records, inside `tx`, that `consumer` handled `message`, and says whether this was the first time.
   * A record made in a transaction that rolls back is forgotten.
   */
  tryRecord(tx: Tx, consumer: string, message: InboxMessage): Promise<InboxVerdict>;
  /** Deletes records made before `before`; returns how many. */
  removeOlderThan(before: Date): Promise<number>;
}
