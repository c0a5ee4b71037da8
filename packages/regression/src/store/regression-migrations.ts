import { loadMigrations, type MigrationSet } from '@switchyard/postgres';

/** The schema the capture store's tables live in unless told otherwise. */
export const defaultRegressionSchema = 'switchyard_regression';

/** The regression package's migrations (captured messages, malformed captures, groups, results), to apply into `schema`. */
export async function regressionMigrations(schema: string = defaultRegressionSchema): Promise<MigrationSet> {
  return {
    owner: 'regression',
    schema,
    migrations: await loadMigrations(new URL('./migrations/', import.meta.url)),
  };
}
