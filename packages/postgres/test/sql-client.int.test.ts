import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { column, connectPostgres, RowShapeError, SqlError, sqlStates } from '@switchyard/postgres';
import { runUntilExit } from '@switchyard/testing';
import { waitUntil } from '../../bus/test/contract/transport-contract.ts';
import { databasesUnderTest, type FreshStore } from './support/databases.ts';

const closeWhileRelistening = join(
  dirname(fileURLToPath(import.meta.url)),
  'fixtures',
  'close-while-relistening.ts',
);

for (const database of await databasesUnderTest()) {
  describe(`SQL client on ${database.name}`, { skip: database.skip }, () => {
    let store: FreshStore;
    beforeEach(async () => {
      store = await database.fresh();
      await store.client.exec(
        `create table ${store.schema}.notes (id integer primary key, text text not null)`,
      );
    });
    afterEach(() => store.dispose());
    const notes = () => `${store.schema}.notes`;
    const texts = async () =>
      (await store.client.query(`select text from ${notes()} order by id`)).rows.map((row) =>
        column.text(row, 'text'),
      );

    it('runs parameterised statements and reads typed values the same way on both drivers', async () => {
      const { rows } = await store.client.query(
        `select $1::int8 as big, $2::bytea as bytes, $3::jsonb as doc, $4::timestamptz as at, $5::text as nothing`,
        [
          9_007_199_254_740_991n.toString(),
          new Uint8Array([1, 2, 3]),
          JSON.stringify({ a: [1] }),
          new Date(0),
          null,
        ],
      );
      const row = rows[0];
      assert.ok(row);
      assert.equal(column.integer(row, 'big'), Number.MAX_SAFE_INTEGER);
      assert.deepEqual(column.bytes(row, 'bytes'), new Uint8Array([1, 2, 3]));
      assert.deepEqual(column.json(row, 'doc'), { a: [1] });
      assert.equal(column.timestamp(row, 'at').getTime(), 0);
      assert.equal(column.optionalText(row, 'nothing'), undefined);
      assert.throws(() => column.integer(row, 'doc'), RowShapeError);
      assert.throws(() => column.text(row, 'at'), /Column "at" should hold text/);
    });

    it('commits a transaction that resolves and rolls back one that throws', async () => {
      await store.client.transaction((tx) => tx.query(`insert into ${notes()} values (1, 'kept')`));
      await assert.rejects(
        store.client.transaction(async (tx) => {
          await tx.query(`insert into ${notes()} values (2, 'lost')`);
          throw new Error('handler failed');
        }),
        /handler failed/,
      );
      assert.deepEqual(await texts(), ['kept']);
    });

    it('rolls back only the savepoint when work inside it throws', async () => {
      await store.client.transaction(async (tx) => {
        await tx.query(`insert into ${notes()} values (1, 'before')`);
        await assert.rejects(
          tx.savepoint(async (inner) => {
            await inner.query(`insert into ${notes()} values (2, 'inside')`);
            throw new Error('inner failure');
          }),
          /inner failure/,
        );
        await tx.savepoint((inner) => inner.query(`insert into ${notes()} values (3, 'after')`));
      });
      assert.deepEqual(await texts(), ['before', 'after']);
    });

    it('names the statement and the SQLSTATE when a statement fails', async () => {
      await store.client.query(`insert into ${notes()} values (1, 'first')`);
      const error = await store.client.query(`insert into ${notes()} values ($1, $2)`, [1, 'again']).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof SqlError);
      assert.equal(error.sqlState, sqlStates.uniqueViolation);
      assert.match(error.message, /SQLSTATE 23505/);
      assert.match(error.message, /in: insert into .*notes values \(\$1, \$2\)/);
      assert.equal(error.constraint, 'notes_pkey');
    });

    it('delivers NOTIFY payloads to listeners until they stop listening', async () => {
      const received: string[] = [];
      const channel = `yard_test_${store.schema}`;
      const stop = await store.client.listen(channel, (payload) => received.push(payload));
      await store.client.query('select pg_notify($1, $2)', [channel, 'first']);
      await waitUntil(() => received.length > 0, 5_000, 'the first notification');
      await stop();
      await store.client.query('select pg_notify($1, $2)', [channel, 'second']);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(received, ['first']);
    });
  });
}

const postgresOnly = (await databasesUnderTest()).find((database) => database.name === 'PostgreSQL');

describe('SQL client on PostgreSQL when the server ends its connections', {
  skip: postgresOnly?.skip,
}, () => {
  it('leaves nothing running once closed while its listener waits to listen again, so its process can exit', async () => {
    const store = await (postgresOnly as NonNullable<typeof postgresOnly>).fresh();
    try {
      const exit = await runUntilExit(closeWhileRelistening, [store.url], { killAfterMs: 15_000 });
      assert.equal(exit.output, 'closed\n');
      assert.deepEqual([exit.code, exit.signal], [0, null], 'the process exited by itself');
      // The listener's 5 s backoff timer, left running, would hold it that long.
      assert.ok(exit.exitedAfterOutputMs < 2_000, `it exited ${exit.exitedAfterOutputMs} ms after the close`);
    } finally {
      await store.dispose();
    }
  });

  it('fails the statements in flight, stays up, and works again on new connections', async () => {
    const store = await (postgresOnly as NonNullable<typeof postgresOnly>).fresh();
    const admin = await store.connect();
    const client = connectPostgres({ url: store.url, maxConnections: 4, applicationName: 'yard-terminated' });
    try {
      // Two pooled connections: one stays idle while the transaction below holds the other.
      await Promise.all([client.query('select pg_sleep(0.05)'), client.query('select pg_sleep(0.05)')]);
      const held = client
        .transaction(async (tx) => {
          await tx.query('select 1');
          await new Promise((resolve) => setTimeout(resolve, 300)); // idle inside a transaction
          await tx.query('select 2');
        })
        .then(
          () => 'committed',
          (error: unknown) => error,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
      const { rows } = await admin.query(
        `select count(pg_terminate_backend(pid)) as ended from pg_stat_activity
         where application_name = 'yard-terminated' and pid <> pg_backend_pid()`,
      );
      assert.ok(column.integer(rows[0] ?? {}, 'ended') >= 2, 'the idle and the transaction connection ended');
      assert.ok((await held) instanceof SqlError, 'the transaction on the ended connection failed');
      assert.deepEqual((await client.query('select 42 as answer')).rows, [{ answer: 42 }]);
      await client.transaction((tx) => tx.query('select 1'));
    } finally {
      await client.close();
      await store.dispose();
    }
  });
});
