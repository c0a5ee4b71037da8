import { after, before, describe } from 'node:test';
import { connectPostgres, migrate, type SqlClient } from '@switchyard/postgres';
import { postgresForTests, type TestSchema } from '@switchyard/testing';
import { PostgresCaptureStore } from '../src/store/postgres-capture-store.ts';
import { regressionMigrations } from '../src/store/regression-migrations.ts';
import { captureStoreContract } from './contract/capture-store-contract.ts';

const postgres = await postgresForTests();

describe('capture store on PostgreSQL', { skip: postgres.skip }, () => {
  let schema: TestSchema;
  let client: SqlClient;
  let other: SqlClient;
  let fresh = 0;
  before(async () => {
    schema = await postgres.createSchema();
    client = connectPostgres({ url: postgres.url, maxConnections: 4 });
    other = connectPostgres({ url: postgres.url, maxConnections: 4 });
  });
  after(async () => {
    await client.query(`drop schema if exists ${schema.name}_s cascade`).catch(() => {});
    for (let index = 1; index <= fresh; index++)
      await client.query(`drop schema if exists ${schema.name}_${index} cascade`);
    await client.close();
    await other.close();
    await schema.drop();
  });
  captureStoreContract(async () => {
    fresh += 1;
    const name = `${schema.name}_${fresh}`;
    await migrate(client, await regressionMigrations(name));
    // A second store on its own connections, so that two claimers really run side by side.
    return {
      store: new PostgresCaptureStore(client, { schema: name }),
      second: new PostgresCaptureStore(other, { schema: name }),
    };
  });
});
