export { PostgresInbox, type PostgresInboxOptions } from './inbox/postgres-inbox.ts';
export {
  RetentionCleaner,
  type RetentionCleanerOptions,
} from './maintenance/retention-cleaner.ts';
export { MigrationError } from './migrations/migration-error.ts';
export { loadMigrations, type Migration, migration } from './migrations/migration-files.ts';
export { type MigrationReport, type MigrationSet, migrate } from './migrations/migration-runner.ts';
export { defaultSchema, switchyardMigrations } from './migrations/switchyard-migrations.ts';
export { PostgresOutbox, type PostgresOutboxOptions } from './outbox/postgres-outbox.ts';
export { PostgresSagaStore, type PostgresSagaStoreOptions } from './saga-store/postgres-saga-store.ts';
export { PostgresScheduler } from './scheduler/postgres-scheduler.ts';
export type { PostgresSchedulerOptions } from './scheduler/scheduler-options.ts';
export { qualified, quoteIdentifier } from './sql/identifiers.ts';
export { notifyChannel } from './sql/notify-channel.ts';
export { connectPostgres, type PostgresClientOptions } from './sql/pg-client.ts';
export { openPglite, type PgliteClientOptions } from './sql/pglite-client.ts';
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
export { NoRouteError } from './transport/transport-errors.ts';
