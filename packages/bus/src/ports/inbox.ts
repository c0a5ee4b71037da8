/**
 * Remembers which messages each consumer has handled, so that a redelivered message whose effects
 * already committed is acknowledged without running the consumer again (exactly-once effects).
 */
export interface Inbox<Tx> {
  /**
   * Records, inside `tx`, that `consumer` handled `messageId`. Resolves true the first time, false when
   * a committed record already exists (a duplicate). A record made in a transaction that rolls back
   * is forgotten.
   */
  tryRecord(tx: Tx, consumer: string, messageId: string): Promise<boolean>;
  /** Deletes records made before `before`; returns how many. */
  removeOlderThan(before: Date): Promise<number>;
}
