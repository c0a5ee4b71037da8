import { PostgresTransport } from '@switchyard/postgres';
import { deliveryInputProperty } from '../../bus/test/contract/delivery-input-property.ts';
import { databasesUnderTest } from './support/databases.ts';

// The server only: PGlite runs the same transport code, and the property's budget is one server's worth.
const [postgres] = await databasesUnderTest();
if (!postgres || postgres.skip) {
  const { it } = await import('node:test');
  it('Any input on the wire, PostgreSQL', { skip: postgres?.skip || 'no PostgreSQL' }, () => {});
} else {
  deliveryInputProperty(
    'PostgreSQL',
    async () => {
      const store = await postgres.fresh();
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
    { numRuns: 150, maxHeaderChars: 200_000, quietMs: 30 },
  );
}
