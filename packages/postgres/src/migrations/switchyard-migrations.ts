import { loadMigrations } from './migration-files.ts';
import type { MigrationSet } from './migration-runner.ts';

/** The schema Switchyard's own tables (outbox, inbox, sagas, schedules) live in unless told otherwise. */
export const defaultSchema = 'switchyard';

/** Switchyard's own migrations (this package's `migrations/` folder), to apply into `schema`. */
export async function switchyardMigrations(schema: string = defaultSchema): Promise<MigrationSet> {
  return {
    owner: 'switchyard',
    schema,
    migrations: await loadMigrations(new URL('../../migrations/', import.meta.url)),
  };
}
