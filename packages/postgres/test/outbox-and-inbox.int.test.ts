import { PostgresInbox, PostgresOutbox } from '@switchyard/postgres';
import { inboxContract } from '../../bus/test/contract/inbox-contract.ts';
import { outboxContract } from '../../bus/test/contract/outbox-contract.ts';
import { databasesUnderTest, manualClock } from './support/databases.ts';

for (const database of await databasesUnderTest()) {
  if (database.skip) {
    const { it } = await import('node:test');
    it(`Outbox and inbox contracts: ${database.name}`, { skip: database.skip }, () => {});
    continue;
  }

  outboxContract(database.name, async () => {
    const store = await database.fresh();
    const clock = manualClock();
    const processOn = (client: typeof store.client) => ({
      database: client,
      outbox: new PostgresOutbox(client, { schema: store.schema, now: clock.now }),
    });
    return {
      ...processOn(store.client),
      connect: async () => processOn(await store.connect()),
      clock,
      dispose: () => store.dispose(),
    };
  });

  inboxContract(database.name, async () => {
    const store = await database.fresh();
    const clock = manualClock();
    const processOn = (client: typeof store.client) => ({
      database: client,
      inbox: new PostgresInbox(client, { schema: store.schema, now: clock.now }),
    });
    return {
      ...processOn(store.client),
      connect: async () => processOn(await store.connect()),
      clock,
      dispose: () => store.dispose(),
    };
  });
}
