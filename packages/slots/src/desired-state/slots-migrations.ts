import { loadMigrations, type MigrationSet } from '@switchyard/postgres';

/** The schema the desired-state tables live in unless told otherwise. */
export const defaultSlotsSchema = 'switchyard_slots';

/** The slots package's migrations (`slot_names`, `slot_services`), to apply into `schema`. */
export async function slotsMigrations(schema: string = defaultSlotsSchema): Promise<MigrationSet> {
  return {
    owner: 'slots',
    schema,
    migrations: await loadMigrations(new URL('./migrations/', import.meta.url)),
  };
}
