import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConfigurationError,
  MemoryDatabase,
  MemoryInbox,
  MemoryOutbox,
  MemorySagaStore,
  MemoryScheduler,
  type MemoryTransaction,
  type ScheduledMessage,
  uuidv7,
} from '@switchyard/bus';
import { inboxContract } from './contract/inbox-contract.ts';
import { outboxContract } from './contract/outbox-contract.ts';
import { sagaStoreContract } from './contract/saga-store-contract.ts';
import { schedulerContract } from './contract/scheduler-contract.ts';
import { transactionContract } from './contract/transaction-contract.ts';
import { waitUntil } from './contract/transport-contract.ts';

/** A clock that stands still until a test moves it; it starts at the real time so dates look real. */
function manualClock() {
  let time = Date.now();
  return {
    now: () => time,
    advance(ms: number) {
      time += ms;
    },
  };
}

// Each connect() is another instance on the same MemoryDatabase: the in-memory picture of another process.

inboxContract<MemoryTransaction>('in-memory', async () => {
  const database = new MemoryDatabase();
  const clock = manualClock();
  const connect = async () => ({ database, inbox: new MemoryInbox(database, { now: clock.now }) });
  return { ...(await connect()), connect, clock, async dispose() {} };
});

outboxContract<MemoryTransaction>('in-memory', async () => {
  const database = new MemoryDatabase();
  const clock = manualClock();
  const connect = async () => ({ database, outbox: new MemoryOutbox(database, { now: clock.now }) });
  return { ...(await connect()), connect, clock, async dispose() {} };
});

sagaStoreContract<MemoryTransaction>('in-memory', async () => {
  const database = new MemoryDatabase();
  const connect = async () => ({ database, sagas: new MemorySagaStore(database) });
  return { ...(await connect()), connect, async dispose() {} };
});

schedulerContract<MemoryTransaction>('in-memory', async () => {
  const database = new MemoryDatabase();
  const clock = manualClock();
  const connect = async () => ({
    database,
    scheduler: new MemoryScheduler(database, { now: clock.now, pollIntervalMs: 10 }),
  });
  return { ...(await connect()), connect, clock, async dispose() {} };
});

transactionContract<MemoryTransaction>('in-memory', async () => {
  const database = new MemoryDatabase();
  const marks = database.table('marks', () => new Set<string>());
  return {
    database,
    async mark(tx, mark) {
      tx.onCommit(() => marks.add(mark));
    },
    committedMarks: async () => [...marks],
    async dispose() {},
  };
});

describe('MemoryDatabase', () => {
  it('refuses a transaction handle used after its transaction ended', async () => {
    const database = new MemoryDatabase();
    const inbox = new MemoryInbox(database);
    const kept = await database.transaction(async (tx) => tx);
    await assert.rejects(
      inbox.tryRecord(kept, 'billing', { messageId: uuidv7(), fingerprint: 'f' }),
      /has ended/,
    );
  });

  it('refuses a transaction of another database', async () => {
    const inbox = new MemoryInbox(new MemoryDatabase());
    await assert.rejects(
      new MemoryDatabase().transaction((tx) =>
        inbox.tryRecord(tx, 'billing', { messageId: uuidv7(), fingerprint: 'f' }),
      ),
      /another MemoryDatabase/,
    );
  });

  it('runs transactions one at a time, in the order they were asked for, whatever became of earlier ones', async () => {
    const database = new MemoryDatabase();
    const events: string[] = [];
    const run = (name: string, fail: boolean) =>
      database.transaction(async () => {
        events.push(`${name} begins`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        events.push(`${name} ends`);
        if (fail) throw new Error(`${name} failed`);
      });
    await Promise.allSettled([run('a', true), run('b', false), run('c', false)]);
    assert.deepEqual(events, ['a begins', 'a ends', 'b begins', 'b ends', 'c begins', 'c ends']);
  });
});

describe('MemoryScheduler on the real clock', () => {
  it('fires a message on time without waiting for its next look at the store', async () => {
    // A poll interval far longer than the test: only the timer set for the message can fire it.
    const scheduler = new MemoryScheduler(undefined, { pollIntervalMs: 600_000 });
    const fired: { message: ScheduledMessage; at: number }[] = [];
    await scheduler.start(async (message) => {
      fired.push({ message, at: Date.now() });
    });
    try {
      const dueAt = new Date(Date.now() + 50);
      await scheduler.schedule({
        id: uuidv7(),
        dueAt,
        outgoing: {
          kind: 'send',
          destination: 'later',
          message: { messageId: uuidv7(), contentType: 'text/plain', body: new Uint8Array(), headers: {} },
        },
      });
      await waitUntil(() => fired.length > 0, 10_000, 'the message');
      assert.ok((fired[0]?.at ?? 0) >= dueAt.getTime(), 'fired at or after its due time');
    } finally {
      await scheduler.stop();
    }
  });

  it('rejects options it cannot use', () => {
    assert.throws(() => new MemoryScheduler(undefined, { retryDelayMs: -1 }), ConfigurationError);
    assert.throws(() => new MemoryScheduler(undefined, { pollIntervalMs: 0 }), ConfigurationError);
    assert.throws(() => new MemoryScheduler(undefined, { pollIntervalMs: Number.NaN }), ConfigurationError);
  });
});
