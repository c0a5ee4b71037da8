import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { type AddedEntries, type OutgoingMessage, uuidv7 } from '@switchyard/bus';
import { PostgresOutbox } from '@switchyard/postgres';
import { databasesUnderTest, type FreshStore } from './support/databases.ts';

const conversationId = uuidv7();

function outgoing(text: string): OutgoingMessage {
  return {
    kind: 'send',
    destination: 'billing',
    conversationId,
    message: { messageId: uuidv7(), contentType: 'text/plain', body: Buffer.from(text), headers: {} },
  };
}

// The documented order rule (README, "Order within a conversation"), pinned on the server: PGlite's
// transactions queue behind each other, so they never overlap.
const [postgres] = await databasesUnderTest();
if (postgres?.name !== 'PostgreSQL') throw new Error('databasesUnderTest lists the server first');

describe('the outbox, two transactions of one conversation', { skip: postgres.skip }, () => {
  let store: FreshStore;
  beforeEach(async () => {
    store = await postgres.fresh();
  });
  afterEach(() => store?.dispose());

  it('one after the other: the later entry is held back for the sweeper, which keeps the order', async () => {
    const outbox = new PostgresOutbox(store.client, { schema: store.schema });
    const first = await store.client.transaction((tx) => outbox.add(tx, [outgoing('first')], 60_000));
    const later = await store.client.transaction((tx) => outbox.add(tx, [outgoing('later')], 60_000));
    assert.equal(first.entries.length, 1);
    assert.deepEqual([later.entries.length, later.heldBack.length], [0, 1]);
  });

  it('overlapping: neither saw the other, so each is leased to its adder and they have no order', async () => {
    const other = await store.connect();
    const outboxA = new PostgresOutbox(store.client, { schema: store.schema });
    const outboxB = new PostgresOutbox(other, { schema: store.schema });
    let commitA: () => void = () => {};
    const aMayCommit = new Promise<void>((resolve) => {
      commitA = resolve;
    });
    let addedA: AddedEntries | undefined;
    let aAdded: () => void = () => {};
    const aHasAdded = new Promise<void>((resolve) => {
      aAdded = resolve;
    });
    const transactionA = store.client.transaction(async (tx) => {
      addedA = await outboxA.add(tx, [outgoing('a')], 60_000);
      aAdded();
      await aMayCommit;
    });
    await aHasAdded;
    // B adds and commits while A, which added first, is still open.
    const addedB = await other.transaction((tx) => outboxB.add(tx, [outgoing('b')], 60_000));
    commitA();
    await transactionA;
    assert.deepEqual([addedA?.entries.length, addedA?.heldBack.length], [1, 0]);
    assert.deepEqual([addedB.entries.length, addedB.heldBack.length], [1, 0], 'B is not held back behind A');
  });
});
