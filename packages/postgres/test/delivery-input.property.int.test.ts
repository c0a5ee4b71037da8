import { PostgresTransport } from '@switchyard/postgres';
import { deliveryInputProperty } from '../../bus/test/contract/delivery-input-property.ts';
import { databasesUnderTest } from './support/databases.ts';

// PGlite runs the same transport code as the server but over its own SQL engine, so it gets the
// property too; embedded, it answers one query at a time, so fewer runs keep the file cheap.
const runs = { PostgreSQL: 150, PGlite: 80 } as const;

for (const database of await databasesUnderTest()) {
  if (database.skip) {
    const { it } = await import('node:test');
    it(`Any input on the wire, ${database.name}`, { skip: database.skip }, () => {});
    continue;
  }
  deliveryInputProperty(
    database.name,
    async () => {
      const store = await database.fresh();
      return {
        async connect() {
          const transport = new PostgresTransport(await store.connect(), {
            schema: store.schema,
            pollIntervalMs: 100,
          });
          await transport.start();
          return transport;
        },
        dispose: () => store.dispose(),
      };
    },
    { numRuns: runs[database.name], maxHeaderChars: 200_000, quietMs: 30 },
  );
}
