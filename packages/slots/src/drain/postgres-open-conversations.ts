import { countSlotConversations, SqlError, type SqlExecutor, sqlStates } from '@switchyard/postgres';
import type { ServiceCatalogue } from '../desired-state/desired-state.ts';
import { routingNames } from '../topology/routing-names.ts';
import type { OpenConversationCounter } from './slot-status.ts';

/**
 * Open conversations of a slot from the saga store and the scheduler on PostgreSQL (or PGlite): saga
 * instances that started in one of the service's queues of that slot, and sends scheduled for it.
 */
export class PostgresOpenConversations implements OpenConversationCounter {
  readonly #sql: SqlExecutor;
  readonly #catalogue: ServiceCatalogue;
  readonly #schema: string | undefined;

  constructor(sql: SqlExecutor, catalogue: ServiceCatalogue, options: { schema?: string } = {}) {
    this.#sql = sql;
    this.#catalogue = catalogue;
    this.#schema = options.schema;
  }

  async openConversations(service: string, slot: string): Promise<number | undefined> {
    const entries = (this.#catalogue.services[service] ?? []).map((endpoint) => endpoint.name);
    try {
      const open = await countSlotConversations(this.#sql, {
        queues: entries.map((entry) => routingNames.slot(entry, slot)),
        entries,
        slot,
        schema: this.#schema,
      });
      return open.sagas + open.scheduled;
    } catch (error) {
      // Not migrated: no saga or scheduled message can be open, but nothing says so; the status shows "?".
      if (error instanceof SqlError && error.sqlState === sqlStates.undefinedTable) return undefined;
      throw error;
    }
  }
}
