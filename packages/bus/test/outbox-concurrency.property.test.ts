import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryDatabase, MemoryOutbox, type MemoryTransaction } from '@switchyard/bus';
import { checkConcurrentDispatch } from './outbox-concurrency-property.ts';

describe('in-memory outbox, for any concurrent dispatchers over failing and stalling transports', () => {
  it('delivers every entry, keeps conversations in order and never hands one entry to two live leases', async () => {
    await checkConcurrentDispatch<MemoryTransaction>(async () => {
      const database = new MemoryDatabase();
      return {
        database,
        outbox: new MemoryOutbox(database),
        connect: async () => ({ database, outbox: new MemoryOutbox(database) }),
        dispose: async () => {},
      };
    }, 40);
  });

  // The property itself must be able to fail: an outbox whose other processes read a clock 10 s fast
  // sees every live lease as run out and claims entries another dispatcher holds.
  it('fails an outbox whose processes take over leases that are still live', async () => {
    await assert.rejects(
      checkConcurrentDispatch<MemoryTransaction>(async () => {
        const database = new MemoryDatabase();
        return {
          database,
          outbox: new MemoryOutbox(database),
          connect: async () => ({
            database,
            outbox: new MemoryOutbox(database, { now: () => Date.now() + 10_000 }),
          }),
          dispose: async () => {},
        };
      }, 40),
      (error: Error) => /before the previous holder's lease ran out/.test(String(error.cause)),
    );
  });
});
