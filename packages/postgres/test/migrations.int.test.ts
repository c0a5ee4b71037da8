import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  column,
  loadMigrations,
  MigrationError,
  type MigrationSet,
  migrate,
  migration,
} from '@switchyard/postgres';
import { databasesUnderTest, type FreshStore } from './support/databases.ts';

const createOrders = migration('0001_create_orders.sql', 'create table orders (id text primary key);\n');
const addTotal = migration(
  '0002_add_total.sql',
  'alter table orders add column total integer not null default 0;\ncreate index orders_total on orders (total);\n',
);

for (const database of await databasesUnderTest()) {
  describe(`Migrations on ${database.name}`, { skip: database.skip }, () => {
    let store: FreshStore;
    let schema: string;
    const set = (...migrations: MigrationSet['migrations']): MigrationSet => ({
      owner: 'orders',
      schema,
      migrations,
    });
    const columnsOfOrders = async () =>
      (
        await store.client.query(
          `select column_name from information_schema.columns where table_schema = $1 and table_name = 'orders'
           order by ordinal_position`,
          [schema],
        )
      ).rows.map((row) => column.text(row, 'column_name'));

    beforeEach(async () => {
      store = await database.fresh();
      schema = `${store.schema}_orders`;
    });
    afterEach(async () => {
      await store.client.exec(`drop schema if exists ${schema} cascade`);
      await store.dispose();
    });

    it('creates the schema and applies files in version order, each once', async () => {
      const first = await migrate(store.client, set(addTotal, createOrders));
      assert.deepEqual(first, {
        applied: ['0001_create_orders.sql', '0002_add_total.sql'],
        alreadyApplied: 0,
      });
      assert.deepEqual(await columnsOfOrders(), ['id', 'total']);
      assert.deepEqual(await migrate(store.client, set(createOrders, addTotal)), {
        applied: [],
        alreadyApplied: 2,
      });
    });

    it('applies only what is new since the last run', async () => {
      await migrate(store.client, set(createOrders));
      const report = await migrate(store.client, set(createOrders, addTotal));
      assert.deepEqual(report, { applied: ['0002_add_total.sql'], alreadyApplied: 1 });
    });

    it('refuses to start when an applied file was edited, naming it, and changes nothing', async () => {
      await migrate(store.client, set(createOrders));
      const edited = migration(
        '0001_create_orders.sql',
        'create table orders (id text primary key, note text);\n',
      );
      await assert.rejects(
        migrate(store.client, set(edited, addTotal)),
        (error: unknown) =>
          error instanceof MigrationError &&
          /orders\/0001_create_orders\.sql was edited after it was applied/.test(error.message),
      );
      assert.deepEqual(await columnsOfOrders(), ['id'], 'the new migration was not applied either');
    });

    it('does not count a change of line endings as an edit', async () => {
      await migrate(store.client, set(createOrders));
      const crlf = migration('0001_create_orders.sql', createOrders.sql.replaceAll('\n', '\r\n'));
      assert.deepEqual(await migrate(store.client, set(crlf)), { applied: [], alreadyApplied: 1 });
    });

    it('refuses to run older code against a database with migrations it does not know', async () => {
      await migrate(store.client, set(createOrders, addTotal));
      await assert.rejects(
        migrate(store.client, set(createOrders)),
        /0002_add_total\.sql applied, but no file has version 2/,
      );
    });

    it('applies nothing of a run in which one file fails, and names the file', async () => {
      const broken = migration(
        '0002_broken.sql',
        'alter table orders add column ok integer;\nalter table nope add column x integer;\n',
      );
      await assert.rejects(
        migrate(store.client, set(createOrders, broken)),
        /Migration orders\/0002_broken\.sql failed; nothing was applied: .*"nope" does not exist/,
      );
      assert.deepEqual(await columnsOfOrders(), [], 'the first file was rolled back with the failing one');
      assert.deepEqual(await migrate(store.client, set(createOrders)), {
        applied: ['0001_create_orders.sql'],
        alreadyApplied: 0,
      });
    });

    it('lets only one of several runners apply the files; the others find nothing to do', async () => {
      const clients = [store.client, await store.connect(), await store.connect()];
      const reports = await Promise.all(
        clients.map((client) => migrate(client, set(createOrders, addTotal))),
      );
      const applied = reports.flatMap((report) => report.applied);
      assert.deepEqual(applied, ['0001_create_orders.sql', '0002_add_total.sql']);
      assert.deepEqual(await columnsOfOrders(), ['id', 'total']);
    });
  });
}

describe('Migration files', () => {
  it('reads the .sql files of a folder in version order and checks their names', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'yard-migrations-'));
    try {
      await writeFile(join(folder, '0002_second.sql'), 'select 2;');
      await writeFile(join(folder, '0001_first.sql'), 'select 1;');
      await writeFile(join(folder, 'README.md'), 'not a migration');
      const loaded = await loadMigrations(folder);
      assert.deepEqual(
        loaded.map((each) => [each.version, each.name]),
        [
          [1, '0001_first.sql'],
          [2, '0002_second.sql'],
        ],
      );
      assert.match(loaded[0]?.checksum ?? '', /^[0-9a-f]{64}$/);
      await writeFile(join(folder, '0002_duplicate.sql'), 'select 3;');
      await assert.rejects(
        loadMigrations(folder),
        /"0002_duplicate\.sql" and "0002_second\.sql" share version 2/,
      );
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('explains the naming rule for a badly named file', () => {
    assert.throws(() => migration('create_orders.sql', ''), /must be a number of at least four digits/);
  });
});
