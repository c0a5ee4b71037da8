import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { column, connectPostgres, SqlError, sqlStates } from '@switchyard/postgres';
import { transactionContract } from '../../bus/test/contract/transaction-contract.ts';
import { databasesUnderTest } from './support/databases.ts';
import { lockTable, waitingOnLocks } from './support/table-locks.ts';

const databases = await databasesUnderTest();

for (const database of databases) {
  if (database.skip) {
    it(`TransactionRunner contract: ${database.name}`, { skip: database.skip }, () => {});
    continue;
  }
  transactionContract(database.name, async () => {
    const store = await database.fresh();
    const marks = `${store.schema}.marks`;
    await store.client.exec(`create table ${marks} (mark text not null)`);
    return {
      database: store.client,
      mark: async (tx, mark) => void (await tx.query(`insert into ${marks} values ($1)`, [mark])),
      committedMarks: async () =>
        (await store.client.query(`select mark from ${marks}`)).rows.map((row) => column.text(row, 'mark')),
      dispose: () => store.dispose(),
    };
  });
}

const postgres = databases.find((database) => database.name === 'PostgreSQL');

/** Aborts with `reason` after `ms`. */
function abortAfter(ms: number, reason: Error): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(reason), ms);
  return controller.signal;
}

describe('a PostgreSQL transaction whose signal aborts during a statement', { skip: postgres?.skip }, () => {
  const fresh = async () => {
    const store = await (postgres as NonNullable<typeof postgres>).fresh();
    await store.client.exec(`create table ${store.schema}.notes (text text not null)`);
    return store;
  };

  it('cancels the statement on the server, rolls back, and rejects with the reason', async () => {
    const store = await fresh();
    const client = connectPostgres({ url: store.url, maxConnections: 1 });
    try {
      const reason = new Error('attempt timed out');
      let seen: unknown;
      const startedAt = Date.now();
      const outcome = client.transaction(
        async (tx) => {
          await tx.query(`insert into ${store.schema}.notes values ('written before the wait')`);
          await tx.query('select pg_sleep(30)').catch((error: unknown) => {
            seen = error;
            throw error;
          });
        },
        { signal: abortAfter(200, reason) },
      );
      await assert.rejects(outcome, (error: unknown) => error === reason);
      assert.ok(Date.now() - startedAt < 5_000, 'it did not wait for pg_sleep to end');
      assert.ok(
        seen instanceof SqlError && seen.sqlState === sqlStates.queryCanceled,
        'the statement saw the cancel',
      );
      assert.deepEqual((await client.query(`select text from ${store.schema}.notes`)).rows, []);
      // The pool's one connection is back, in a usable state, and no late cancel reaches its next user.
      await client.transaction((tx) => tx.query('select pg_sleep(0.3)'));
    } finally {
      await client.close();
      await store.dispose();
    }
  });

  it('refuses statements the work starts after the abort', async () => {
    const store = await fresh();
    try {
      const controller = new AbortController();
      const reason = new Error('attempt timed out');
      let refused: unknown;
      await assert.rejects(
        store.client.transaction(
          async (tx) => {
            controller.abort(reason);
            await tx
              .query(`insert into ${store.schema}.notes values ('after the abort')`)
              .catch((error: unknown) => {
                refused = error;
              });
          },
          { signal: controller.signal },
        ),
        (error: unknown) => error === reason,
      );
      assert.equal(refused, reason);
    } finally {
      await store.dispose();
    }
  });

  it('cancels statements waiting on a lock even when they hold every connection of the pool', async () => {
    const store = await fresh();
    const client = connectPostgres({ url: store.url, maxConnections: 2 });
    const lock = await lockTable(store, `${store.schema}.notes`);
    try {
      const reason = new Error('attempt timed out');
      const insert = (text: string) =>
        client.transaction((tx) => tx.query(`insert into ${store.schema}.notes values ($1)`, [text]), {
          signal: abortAfter(300, reason),
        });
      // Both are awaited at once: the second may reject while the first is still being checked.
      await Promise.all(
        [insert('first'), insert('second')].map((outcome) =>
          assert.rejects(outcome, (error: unknown) => error === reason),
        ),
      );
      assert.equal(await waitingOnLocks(store.client, 'notes values'), 0, 'no insert still waits');
    } finally {
      await lock.release();
      await client.close();
      await store.dispose();
    }
  });
});
