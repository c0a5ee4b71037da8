import { after, describe } from 'node:test';
import { migrate, openPglite, type SqlClient } from '@switchyard/postgres';
import { PostgresCaptureStore } from '../src/store/postgres-capture-store.ts';
import { regressionMigrations } from '../src/store/regression-migrations.ts';
import { captureStoreContract } from './contract/capture-store-contract.ts';

describe('capture store on PGlite', () => {
  const clients: SqlClient[] = [];
  after(async () => {
    for (const client of clients) await client.close();
  });
  captureStoreContract(async () => {
    const client = await openPglite();
    clients.push(client);
    await migrate(client, await regressionMigrations());
    return { store: new PostgresCaptureStore(client) };
  });
});
