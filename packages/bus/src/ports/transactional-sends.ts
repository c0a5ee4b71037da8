import type { OutgoingMessage } from './outbox.ts';

/**
 * A transport that can take messages inside the caller's transaction, because its queues live in the
 * same database as the state (the PostgreSQL transport on the application's database). The messages
 * become deliverable when that transaction commits and vanish if it rolls back, so no outbox and no
 * dispatch step are needed: the commit is the delivery.
 */
export interface TransactionalSends<Tx> {
  /**
   * Enqueues the messages inside `tx`. Resolves with what to call once `tx` has committed (to wake
   * consumers at once); not calling it only delays delivery to the consumers' next poll.
   */
  sendInTransaction(tx: Tx, messages: readonly OutgoingMessage[]): Promise<() => void>;
}
