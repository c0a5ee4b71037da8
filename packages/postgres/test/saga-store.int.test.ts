import { it } from 'node:test';
import { PostgresSagaStore, type SqlClient } from '@switchyard/postgres';
import { sagaStoreContract } from '../../bus/test/contract/saga-store-contract.ts';
import { databasesUnderTest } from './support/databases.ts';

for (const database of await databasesUnderTest()) {
  if (database.skip) {
    it(`Saga store contract: ${database.name}`, { skip: database.skip }, () => {});
    continue;
  }
  sagaStoreContract(database.name, async () => {
    const store = await database.fresh();
    const processOn = (client: SqlClient) => ({
      database: client,
      sagas: new PostgresSagaStore(client, { schema: store.schema }),
    });
    return {
      ...processOn(store.client),
      connect: async () => processOn(await store.connect()),
      dispose: () => store.dispose(),
    };
  });
}
