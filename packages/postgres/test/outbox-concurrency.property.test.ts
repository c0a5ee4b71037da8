import { describe, it } from 'node:test';
import type { SqlTransaction } from '@switchyard/postgres';
import { PostgresOutbox } from '@switchyard/postgres';
import { checkConcurrentDispatch } from '../../bus/test/outbox-concurrency-property.ts';
import { databasesUnderTest } from './support/databases.ts';

// No test clock: leases are read from the database's clock, as in production.
for (const database of await databasesUnderTest()) {
  describe(`outbox on ${database.name}, for any concurrent dispatchers over failing and stalling transports`, {
    skip: database.skip,
  }, () => {
    it('delivers every entry, keeps conversations in order and never hands one entry to two live leases', async () => {
      await checkConcurrentDispatch<SqlTransaction>(
        async () => {
          const store = await database.fresh();
          const processOn = (client: typeof store.client) => ({
            database: client,
            outbox: new PostgresOutbox(client, { schema: store.schema }),
          });
          return {
            ...processOn(store.client),
            connect: async () => processOn(await store.connect()),
            dispose: () => store.dispose(),
          };
        },
        database.name === 'PGlite' ? 20 : 40,
      ); // every run migrates a fresh schema, which PGlite does slowly
    });
  });
}
