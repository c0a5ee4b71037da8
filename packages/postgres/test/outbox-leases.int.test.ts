import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { type OutgoingMessage, uuidv7 } from '@switchyard/bus';
import { PostgresOutbox } from '@switchyard/postgres';
import { databasesUnderTest, type FreshStore } from './support/databases.ts';

function outgoing(text: string): OutgoingMessage {
  return {
    kind: 'send',
    destination: 'billing',
    message: { messageId: uuidv7(), contentType: 'text/plain', body: Buffer.from(text), headers: {} },
  };
}

/** An outbox built while this process's clock read `skewMs` ahead, as on a host whose clock drifted. */
function outboxWithClockAhead(store: FreshStore, skewMs: number): PostgresOutbox {
  const realNow = Date.now;
  Date.now = () => realNow() + skewMs;
  try {
    return new PostgresOutbox(store.client, { schema: store.schema });
  } finally {
    Date.now = realNow;
  }
}

for (const database of await databasesUnderTest()) {
  describe(`Outbox leases on ${database.name}`, { skip: database.skip }, () => {
    let store: FreshStore;
    beforeEach(async () => {
      store = await database.fresh();
    });
    afterEach(() => store.dispose());

    it('reads lease times from the database, so a process whose clock runs fast takes no live lease', async () => {
      const adder = new PostgresOutbox(store.client, { schema: store.schema });
      await store.client.transaction((tx) => adder.add(tx, [outgoing('a')], 60_000));
      const fast = outboxWithClockAhead(store, 10 * 60_000);
      const claimed = await fast.claim(10, 60_000);
      const entries = Array.isArray(claimed) ? claimed : claimed.entries;
      assert.equal(entries.length, 0, 'a clock ten minutes fast took over a lease with a minute left');
    });
  });
}
