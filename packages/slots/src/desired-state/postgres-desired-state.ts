import { quoteIdentifier, type SqlClient, type SqlExecutor } from '@switchyard/postgres';
import type { DesiredSlots, DesiredStateSource, ServiceCatalogue, ServiceSlots } from './desired-state.ts';
import { parseDesiredState } from './parse-desired-state.ts';
import { defaultSlotsSchema } from './slots-migrations.ts';

/** Options of a desired state kept in PostgreSQL. */
export interface PostgresDesiredStateOptions {
  /** The schema slotsMigrations was applied into (default `switchyard_slots`). */
  readonly schema?: string | undefined;
  /** The application's services; with it, a service it does not have is refused. */
  readonly catalogue?: ServiceCatalogue | undefined;
}

/**
 * Desired state in two tables (`slot_names`, `slot_services`; see slotsMigrations). Rows are read
 * into the same document a file holds and checked by the same parser, so a row edited by hand into
 * something the reconciler cannot act on is refused by path and rule, as a bad file is.
 */
export class PostgresDesiredState implements DesiredStateSource {
  readonly description: string;
  readonly #client: SqlClient;
  readonly #schema: string;
  readonly #catalogue: ServiceCatalogue | undefined;

  constructor(client: SqlClient, options: PostgresDesiredStateOptions = {}) {
    const schema = options.schema ?? defaultSlotsSchema;
    this.#client = client;
    this.#schema = quoteIdentifier(schema);
    this.#catalogue = options.catalogue;
    this.description = `PostgreSQL table ${schema}.slot_services`;
  }

  read(): Promise<DesiredSlots> {
    return this.#readWith(this.#client);
  }

  update(
    service: string,
    change: (current: ServiceSlots | undefined) => ServiceSlots,
  ): Promise<DesiredSlots> {
    return this.#client.transaction(async (tx) => {
      // A table lock rather than `select … for update`: the service's row may not exist yet, and two
      // first switches would both insert. This mode conflicts only with itself and other writers, so
      // readers (the reconciler) never wait. slot_names is held still so the slots checked against
      // are the slots at commit.
      await tx.query(`lock table ${this.#schema}.slot_services in share row exclusive mode`);
      await tx.query(`lock table ${this.#schema}.slot_names in share mode`);
      const current = await this.#readWith(tx);
      const next = change(current.services[service]);
      // Checked before the write: a change that breaks a rule rolls back with nothing written.
      const checked = parseDesiredState(
        { slots: current.slots, services: { ...current.services, [service]: next } },
        this.description,
        this.#catalogue,
      );
      const written = checked.services[service] as ServiceSlots;
      await tx.query(
        `insert into ${this.#schema}.slot_services (service, live, previous, canary_slot, canary_percent, versions)
         values ($1, $2, $3, $4, $5, $6::jsonb)
         on conflict (service) do update set
           live = excluded.live,
           previous = excluded.previous,
           canary_slot = excluded.canary_slot,
           canary_percent = excluded.canary_percent,
           versions = excluded.versions,
           updated_at = now()`,
        [
          service,
          written.live,
          written.previous ?? null,
          written.canary?.slot ?? null,
          written.canary?.percent ?? null,
          JSON.stringify(written.versions ?? {}),
        ],
      );
      return checked;
    });
  }

  async #readWith(sql: SqlExecutor): Promise<DesiredSlots> {
    // One statement, so the slots and the services come from one snapshot even outside a transaction.
    const { rows } = await sql.query(
      `select
         (select coalesce(json_agg(name order by position, name), '[]') from ${this.#schema}.slot_names) as slots,
         (select coalesce(json_agg(json_build_object(
            'service', service, 'live', live, 'previous', previous, 'canary_slot', canary_slot,
            'canary_percent', canary_percent, 'versions', versions) order by service), '[]')
          from ${this.#schema}.slot_services) as services`,
    );
    const slots = (rows[0]?.slots ?? []) as unknown[];
    // Built as a file would hold it, so the parser's paths (`services.billing.live`) name the row.
    const services: Record<string, unknown> = {};
    for (const row of (rows[0]?.services ?? []) as Record<string, unknown>[]) {
      const noCanary = row.canary_slot === null && row.canary_percent === null;
      services[String(row.service)] = {
        live: row.live,
        ...(row.previous === null ? {} : { previous: row.previous }),
        ...(noCanary ? {} : { canary: { slot: row.canary_slot, percent: row.canary_percent } }),
        ...(isEmptyObject(row.versions) ? {} : { versions: row.versions }),
      };
    }
    return parseDesiredState(
      { ...(slots.length > 0 ? { slots } : {}), services },
      this.description,
      this.#catalogue,
    );
  }
}

function isEmptyObject(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0
  );
}
