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
});
