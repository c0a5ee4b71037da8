export { MemoryDatabase, type MemoryTransaction } from './memory-database.ts';
export { MemoryInbox } from './memory-inbox.ts';
export { MemoryOutbox } from './memory-outbox.ts';
export { MemorySagaStore } from './memory-saga-store.ts';
export { MemoryScheduler, type MemorySchedulerOptions } from './memory-scheduler.ts';
