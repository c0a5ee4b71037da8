import { column, type SqlClient } from '@switchyard/postgres';
import type { FreshStore } from './databases.ts';

/** Holds an exclusive lock on `table` from another pool until `release()`. */
export async function lockTable(store: FreshStore, table: string) {
  const locker = await store.connect();
  const locked = Promise.withResolvers<void>();
  const released = Promise.withResolvers<void>();
  const holding = locker.transaction(async (tx) => {
    await tx.query(`lock table ${table} in access exclusive mode`);
    locked.resolve();
    await released.promise;
  });
  holding.catch(locked.reject);
  await locked.promise;
  return {
    async release() {
      released.resolve();
      await holding;
    },
  };
}

/** Statements of this database waiting for a lock, whose text mentions `text`. */
export async function waitingOnLocks(client: SqlClient, text: string): Promise<number> {
  const { rows } = await client.query(
    `select count(*)::int as waiting from pg_stat_activity
     where datname = current_database() and wait_event_type = 'Lock' and query like $1`,
    [`%${text}%`],
  );
  return column.integer(rows[0] ?? {}, 'waiting');
}
