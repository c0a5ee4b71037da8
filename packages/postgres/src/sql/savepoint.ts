import type { SqlTransaction } from './sql-client.ts';

/** Runs `work` between SAVEPOINT and RELEASE, rolling back to the savepoint when it throws. */
export async function withSavepoint<T>(
  tx: SqlTransaction,
  name: string,
  work: (tx: SqlTransaction) => Promise<T>,
): Promise<T> {
  await tx.query(`savepoint ${name}`);
  try {
    const result = await work(tx);
    await tx.query(`release savepoint ${name}`);
    return result;
  } catch (error) {
    await tx.query(`rollback to savepoint ${name}`);
    throw error;
  }
}
