/**
 * Runs work in one transaction over durable state: everything it wrote commits together when the
 * work resolves, and nothing does when it throws. `Tx` is the implementation's transaction handle
 * (a SQL transaction for PostgreSQL, a journal for the in-memory store) that the other ports accept.
 */
export interface TransactionRunner<Tx> {
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}
