import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { type OutgoingMessage, uuidv7 } from '@switchyard/bus';
import { PostgresInbox, PostgresOutbox, RetentionCleaner } from '@switchyard/postgres';
import { waitUntil } from '../../bus/test/contract/transport-contract.ts';
import { databasesUnderTest, type FreshStore, manualClock } from './support/databases.ts';

const day = 24 * 3_600_000;

function outgoing(text: string): OutgoingMessage {
  return {
    kind: 'send',
    destination: 'billing',
    message: { messageId: uuidv7(), contentType: 'text/plain', body: Buffer.from(text), headers: {} },
  };
}

for (const database of await databasesUnderTest()) {
  describe(`Outbox wake-ups and retention on ${database.name}`, { skip: database.skip }, () => {
    let store: FreshStore;
    beforeEach(async () => {
      store = await database.fresh();
    });
    afterEach(() => store.dispose());

    it('tells every process’s sweeper when entries are released', async () => {
      const adder = new PostgresOutbox(store.client, { schema: store.schema });
      const sweeper = new PostgresOutbox(await store.connect(), { schema: store.schema });
      let wakeups = 0;
      const stop = await sweeper.subscribeToReleases(() => {
        wakeups += 1;
      });
      try {
        const added = await store.client.transaction((tx) => adder.add(tx, [outgoing('a')], 60_000));
        const ids = added.entries.map((entry) => entry.id);
        await adder.release(added.owner, ids);
        await waitUntil(() => wakeups === 1);
        await adder.release(added.owner, ids);
        const claimed = await sweeper.claim(10, 60_000);
        await adder.release(added.owner, ids);
        await new Promise((resolve) => setTimeout(resolve, 150));
        assert.equal(wakeups, 1, 'a release by a former holder frees nothing and wakes nobody');
        await sweeper.release(claimed.owner, ids);
        await waitUntil(() => wakeups === 2);
        const again = await sweeper.claim(10, 60_000);
        await sweeper.markDelivered(again.owner, ids);
        await sweeper.release(again.owner, ids);
        await new Promise((resolve) => setTimeout(resolve, 150));
        assert.equal(wakeups, 2, 'releasing a delivered entry wakes nobody');
      } finally {
        await stop();
      }
    });

    it('removes delivered outbox entries and inbox records past their retention, and nothing else', async () => {
      const clock = manualClock();
      const outbox = new PostgresOutbox(store.client, { schema: store.schema, now: clock.now });
      const inbox = new PostgresInbox(store.client, { schema: store.schema, now: clock.now });
      const cleaner = new RetentionCleaner({ outbox, inbox, now: clock.now });
      const added = await store.client.transaction((tx) =>
        outbox.add(tx, [outgoing('delivered'), outgoing('pending')], 0),
      );
      const [delivered, pending] = added.entries;
      await outbox.markDelivered(added.owner, [delivered?.id as string]);
      await store.client.transaction((tx) =>
        inbox.tryRecord(tx, 'billing', { messageId: 'old-message', fingerprint: 'f' }),
      );

      clock.advance(day / 2);
      assert.deepEqual(await cleaner.clean(), { outboxEntries: 0, inboxRecords: 0 });
      clock.advance(day);
      assert.deepEqual(await cleaner.clean(), { outboxEntries: 1, inboxRecords: 0 });
      assert.equal(await outbox.pendingCount(), 1, `${pending?.id} stays until delivered`);
      clock.advance(7 * day);
      assert.deepEqual(await cleaner.clean(), { outboxEntries: 0, inboxRecords: 1 });
    });
  });
}
