import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Inbox, type TransactionRunner, uuidv7 } from '@switchyard/bus';

/** One process's view of the store under test: its transactions and its inbox. */
export interface InboxProcess<Tx> {
  readonly database: TransactionRunner<Tx>;
  readonly inbox: Inbox<Tx>;
}

/** A fresh, empty store with one process on it. */
export interface InboxFixture<Tx> extends InboxProcess<Tx> {
  /** Another process on the same store (with its own connection, where the implementation has them). */
  connect(): Promise<InboxProcess<Tx>>;
  /** The clock every process of the fixture reads the time from; tests move it by hand. */
  readonly clock: { now(): number; advance(ms: number): void };
  dispose(): Promise<void>;
}

/**
 * The behaviour every inbox must show. `createFixture` runs before each test and must give a fresh,
 * isolated store (a new in-memory database, a fresh schema).
 */
export function inboxContract<Tx>(name: string, createFixture: () => Promise<InboxFixture<Tx>>): void {
  describe(`Inbox contract: ${name}`, () => {
    let fixture: InboxFixture<Tx>;
    const record = (process: InboxProcess<Tx>, consumer: string, messageId: string, fingerprint = 'same') =>
      process.database.transaction((tx) => process.inbox.tryRecord(tx, consumer, { messageId, fingerprint }));

    beforeEach(async () => {
      fixture = await createFixture();
    });
    afterEach(async () => {
      await fixture.dispose();
    });

    it('records a message the first time and reports it a duplicate once that committed', async () => {
      const messageId = uuidv7();
      assert.equal(await record(fixture, 'billing', messageId), 'recorded');
      assert.equal(await record(fixture, 'billing', messageId), 'duplicate');
      assert.equal(await record(fixture, 'billing', messageId), 'duplicate');
    });

    it('sees its own record within the transaction that made it', async () => {
      const messageId = uuidv7();
      const results = await fixture.database.transaction(async (tx) => [
        await fixture.inbox.tryRecord(tx, 'billing', { messageId, fingerprint: 'same' }),
        await fixture.inbox.tryRecord(tx, 'billing', { messageId, fingerprint: 'same' }),
      ]);
      assert.deepEqual(results, ['recorded', 'duplicate']);
    });

    it('forgets a record made in a transaction that rolled back', async () => {
      const messageId = uuidv7();
      const failure = new Error('handler failed');
      await assert.rejects(
        fixture.database.transaction(async (tx) => {
          assert.equal(
            await fixture.inbox.tryRecord(tx, 'billing', { messageId, fingerprint: 'same' }),
            'recorded',
          );
          throw failure;
        }),
        failure,
      );
      assert.equal(await record(fixture, 'billing', messageId), 'recorded');
    });

    it('keeps each consumer’s records apart', async () => {
      const messageId = uuidv7();
      assert.equal(await record(fixture, 'billing', messageId), 'recorded');
      assert.equal(await record(fixture, 'deliveries', messageId), 'recorded');
      assert.equal(await record(fixture, 'billing', uuidv7()), 'recorded');
      assert.equal(await record(fixture, 'deliveries', messageId), 'duplicate');
    });

    it('keeps consumer and message apart whatever characters they hold', async () => {
      assert.equal(await record(fixture, 'a:b', 'c'), 'recorded');
      assert.equal(await record(fixture, 'a', 'b:c'), 'recorded');
      assert.equal(await record(fixture, 'a","b', 'c'), 'recorded');
      assert.equal(await record(fixture, 'a', 'b","c'), 'recorded');
    });

    it('lets exactly one of two processes record the same message at the same time', async () => {
      const other = await fixture.connect();
      const messageId = uuidv7();
      const attempt = (process: InboxProcess<Tx>) =>
        process.database.transaction(async (tx) => {
          const first = await process.inbox.tryRecord(tx, 'billing', { messageId, fingerprint: 'same' });
          await sleep(20); // hold the transaction open while the other process tries
          return first;
        });
      const results = await Promise.all([attempt(fixture), attempt(other)]);
      assert.deepEqual([...results].sort(), ['duplicate', 'recorded']);
    });

    it('lets another process record a message whose first record rolled back', async () => {
      const other = await fixture.connect();
      const messageId = uuidv7();
      const failure = new Error('handler failed');
      const [rolledBack, committed] = await Promise.allSettled([
        fixture.database.transaction(async (tx) => {
          await fixture.inbox.tryRecord(tx, 'billing', { messageId, fingerprint: 'same' });
          await sleep(20);
          throw failure;
        }),
        other.database.transaction((tx) =>
          other.inbox.tryRecord(tx, 'billing', { messageId, fingerprint: 'same' }),
        ),
      ]);
      assert.deepEqual(rolledBack, { status: 'rejected', reason: failure });
      assert.deepEqual(committed, { status: 'fulfilled', value: 'recorded' });
      assert.equal(await record(fixture, 'billing', messageId), 'duplicate');
    });

    it('removes the records made before a time, keeps later ones, and says how many it removed', async () => {
      const early = [uuidv7(), uuidv7()];
      await record(fixture, 'billing', early[0] as string);
      await record(fixture, 'deliveries', early[1] as string);
      fixture.clock.advance(1_000);
      const cutoff = new Date(fixture.clock.now());
      fixture.clock.advance(1_000);
      const late = uuidv7();
      await record(fixture, 'billing', late);

      assert.equal(await fixture.inbox.removeOlderThan(cutoff), 2);
      assert.equal(
        await record(fixture, 'billing', early[0] as string),
        'recorded',
        'a removed record is forgotten',
      );
      assert.equal(await record(fixture, 'deliveries', early[1] as string), 'recorded');
      assert.equal(await record(fixture, 'billing', late), 'duplicate', 'a later record is kept');
      assert.equal(await fixture.inbox.removeOlderThan(cutoff), 0);
    });

    it('tells a message that reuses a handled message’s id from a duplicate of it', async () => {
      const messageId = uuidv7();
      assert.equal(await record(fixture, 'billing', messageId, 'first'), 'recorded');
      assert.equal(await record(fixture, 'billing', messageId, 'first'), 'duplicate');
      assert.equal(await record(fixture, 'billing', messageId, 'other'), 'reused-id');
      assert.equal(await record(fixture, 'deliveries', messageId, 'other'), 'recorded');
    });

    it('says how long it remembers a message', () => {
      assert.ok(Number.isInteger(fixture.inbox.windowMs) && fixture.inbox.windowMs > 0);
    });

    it('removes nothing from an empty store', async () => {
      assert.equal(await fixture.inbox.removeOlderThan(new Date(fixture.clock.now() + 60_000)), 0);
    });
  });
}
