/**
 * PostgreSQL for the bus: one SQL client over a server (`connectPostgres`) or embedded PGlite
 * (`openPglite`), numbered migrations (`migrate`), and the bus's ports on it: outbox, inbox, saga
 * store, scheduler, and a transport whose queues are tables, so state and the messages it causes can
 * commit in one transaction with no broker at all.
 *
 * ```ts
 * import { consumer, createBus, defineMessage, receiveEndpoint } from '@switchyard/bus';
 * import { migrate, openPglite, PostgresTransport, switchyardMigrations } from '@switchyard/postgres';
 * import { z } from 'zod';
 *
 * const RoundDelivered = defineMessage('milkround.RoundDelivered', z.object({ round: z.string(), pints: z.number() }));
 *
 * // Embedded, in memory; connectPostgres({ url }) runs the same code on a server.
 * const sql = await openPglite();
 * await migrate(sql, await switchyardMigrations());
 * let delivered = (_line: string) => {};
 * const done = new Promise<string>((resolve) => { delivered = resolve; });
 * const bus = createBus({
 *   transport: new PostgresTransport(sql),
 *   endpoints: [
 *     receiveEndpoint('billing', {
 *       consumers: [consumer(RoundDelivered, (each) => delivered(`${each.round}: ${each.pints} pints`))],
 *     }),
 *   ],
 * });
 * await bus.start();
 * await bus.publish(RoundDelivered, { round: 'north', pints: 12 });
 * console.log(await done);
 * await bus.stop();
 * await sql.close();
 * ```
 */
export { PostgresInbox, type PostgresInboxOptions } from './inbox/postgres-inbox.ts';
export {
  RetentionCleaner,
  type RetentionCleanerOptions,
} from './maintenance/retention-cleaner.ts';
export { loadMigrations, type Migration, migration } from './migrations/migration-files.ts';
export { type MigrationReport, type MigrationSet, migrate } from './migrations/migration-runner.ts';
export { defaultSchema, switchyardMigrations } from './migrations/switchyard-migrations.ts';
export { PostgresOutbox, type PostgresOutboxOptions } from './outbox/postgres-outbox.ts';
export { MigrationError, NoRouteError } from './postgres-errors.ts';
export { PostgresSagaStore, type PostgresSagaStoreOptions } from './saga-store/postgres-saga-store.ts';
export { PostgresScheduler } from './scheduler/postgres-scheduler.ts';
export type { PostgresSchedulerOptions } from './scheduler/scheduler-options.ts';
export {
  countSlotConversations,
  type SlotConversationQuery,
  type SlotConversations,
} from './slots/slot-conversations.ts';
export { qualified, quoteIdentifier } from './sql/identifiers.ts';
export { notifyChannel } from './sql/notify-channel.ts';
export { connectPostgres, type PostgresClientOptions } from './sql/pg-client.ts';
export { openPglite, type PgliteClientOptions, pgliteDatabaseExists } from './sql/pglite-client.ts';
export { EmbeddedDatabaseLockedError } from './sql/pglite-directory-lock.ts';
export { column, RowShapeError } from './sql/row-values.ts';
export type {
  NotificationHandler,
  QueryResult,
  Row,
  SqlClient,
  SqlExecutor,
  SqlTransaction,
} from './sql/sql-client.ts';
export { SqlError, sqlErrorFor, sqlStates } from './sql/sql-error.ts';
export { PostgresErrorQueues } from './transport/postgres-error-queues.ts';
export { PostgresTransport, type PostgresTransportOptions } from './transport/postgres-transport.ts';
