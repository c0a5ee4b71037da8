import type { SqlClient } from '@switchyard/postgres';
import { PostgresTransport } from '@switchyard/postgres';
import { trustedHeadersContract } from '../../bus/test/contract/trusted-headers-contract.ts';
import { databasesUnderTest } from './support/databases.ts';

for (const database of await databasesUnderTest()) {
  if (database.skip) {
    const { it } = await import('node:test');
    it(`Headers the bus trusts: ${database.name}`, { skip: database.skip }, () => {});
    continue;
  }
  trustedHeadersContract(database.name, async () => {
    const store = await database.fresh();
    return {
      async connect() {
        const client: SqlClient = await store.connect();
        const transport = new PostgresTransport(client, { schema: store.schema, pollIntervalMs: 100 });
        await transport.start();
        return transport;
      },
      dispose: () => store.dispose(),
    };
  });
}
