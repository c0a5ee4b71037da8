import { PostgresTransport, type SqlClient } from '@switchyard/postgres';
import { transportContract } from '../../bus/test/contract/transport-contract.ts';
import { databasesUnderTest } from './support/databases.ts';

for (const database of await databasesUnderTest()) {
  if (database.skip) {
    const { it } = await import('node:test');
    it(`Transport contract: ${database.name}`, { skip: database.skip }, () => {});
    continue;
  }
  transportContract(database.name, async () => {
    const store = await database.fresh();
    return {
      async connect() {
        // Each transport is another process: on a server, with its own pool.
        const client: SqlClient = await store.connect();
        const transport = new PostgresTransport(client, { schema: store.schema, pollIntervalMs: 200 });
        await transport.start();
        return transport;
      },
      dispose: () => store.dispose(),
    };
  });
}
