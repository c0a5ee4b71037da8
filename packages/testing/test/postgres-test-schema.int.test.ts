import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postgresForTests, type TestSchema } from '@switchyard/testing';
import pg from 'pg';

const postgres = await postgresForTests();

describe('a fresh PostgreSQL schema per test file', { skip: postgres.skip }, () => {
  let first: TestSchema;
  let second: TestSchema;

  before(async () => {
    first = await postgres.createSchema();
    second = await postgres.createSchema();
  });

  after(async () => {
    await first?.drop();
    await second?.drop();
  });

  it('puts unqualified tables in its own schema, invisible from another', async () => {
    await query(first.url, 'create table parcels (id int primary key, label text not null)');
    await query(first.url, 'insert into parcels values ($1, $2), ($3, $4)', [1, 'milk', 2, 'eggs']);

    const rows = await query(first.url, 'select label from parcels order by id');
    assert.deepEqual(
      rows.map((row) => row.label),
      ['milk', 'eggs'],
    );
    const where = await query(
      first.url,
      `select table_schema from information_schema.tables where table_name = 'parcels'`,
    );
    assert.deepEqual(where, [{ table_schema: first.name }]);

    await assert.rejects(query(second.url, 'select * from parcels'), /relation "parcels" does not exist/);
  });

  it('drops the schema with its tables', async () => {
    const doomed = await postgres.createSchema();
    await query(doomed.url, 'create table leftovers (id int)');
    await doomed.drop();
    const remaining = await query(postgres.url, 'select 1 from pg_namespace where nspname = $1', [
      doomed.name,
    ]);
    assert.equal(remaining.length, 0);
  });
});

async function query(url: string, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}
