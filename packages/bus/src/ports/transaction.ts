/** How a transaction may be cut short. */
export interface TransactionOptions {
  /**
   * Once aborted, the transaction never commits: it rolls back and rejects with the signal's reason.
   * Implementations that can stop a statement in progress do; the rest check before committing.
   */
  readonly signal?: AbortSignal;
}

/**
 * Runs work in one transaction over durable state: everything it wrote commits together when the
 * work resolves, and nothing does when it throws or when `options.signal` aborted first. `Tx` is the
 * implementation's transaction handle (a SQL transaction for PostgreSQL, a journal for the in-memory
 * store) that the other ports accept.
 */
export interface TransactionRunner<Tx> {
  transaction<T>(work: (tx: Tx) => Promise<T>, options?: TransactionOptions): Promise<T>;
}
