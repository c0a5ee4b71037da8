import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectPostgres, migrate, openPglite, type SqlClient } from '@switchyard/postgres';
import { postgresForTests, type TestSchema } from '@switchyard/testing';
import type { DesiredSlots } from '../src/desired-state/desired-state.ts';
import { PostgresDesiredState } from '../src/desired-state/postgres-desired-state.ts';
import { slotsMigrations } from '../src/desired-state/slots-migrations.ts';
import { DesiredStateError } from '../src/slots-errors.ts';
import { desiredStateContract } from './contract/desired-state-contract.ts';

const postgres = await postgresForTests();

/** A fresh schema with the slots tables, and the clients opened on it (closed by `dispose`). */
async function freshStore(): Promise<{
  schema: TestSchema;
  connect(): SqlClient;
  client: SqlClient;
  dispose(): Promise<void>;
}> {
  const schema = await postgres.createSchema();
  const clients: SqlClient[] = [];
  const connect = () => {
    const client = connectPostgres({ url: schema.url, maxConnections: 4 });
    clients.push(client);
    return client;
  };
  const client = connect();
  await migrate(client, await slotsMigrations(schema.name));
  return {
    schema,
    connect,
    client,
    dispose: async () => {
      for (const each of clients) await each.close();
      await schema.drop();
    },
  };
}

/** Writes a state straight into the tables, as a hand edit or another tool would. */
async function seed(client: SqlClient, schema: string, state: DesiredSlots): Promise<void> {
  await client.transaction(async (tx) => {
    await tx.query(`delete from ${schema}.slot_services`);
    await tx.query(`delete from ${schema}.slot_names`);
    for (const [position, name] of state.slots.entries()) {
      await tx.query(`insert into ${schema}.slot_names (name, position) values ($1, $2)`, [name, position]);
    }
    for (const [service, slots] of Object.entries(state.services)) {
      await tx.query(
        `insert into ${schema}.slot_services (service, live, previous, canary_slot, canary_percent, versions)
         values ($1, $2, $3, $4, $5, $6::jsonb)`,
        [
          service,
          slots.live,
          slots.previous ?? null,
          slots.canary?.slot ?? null,
          slots.canary?.percent ?? null,
          JSON.stringify(slots.versions ?? {}),
        ],
      );
    }
  });
}

// PGlite runs the same tables in this process (the embedded profile); started once for the file.
let pglite: Promise<SqlClient> | undefined;
let pgliteSchemas = 0;
after(async () => {
  await (await pglite)?.close();
});

desiredStateContract('PGlite', async (options) => {
  pglite ??= openPglite();
  const client = await pglite;
  const schema = `yard_slots_pglite_${process.pid}_${++pgliteSchemas}`;
  await migrate(client, await slotsMigrations(schema));
  return {
    source: new PostgresDesiredState(client, { schema, ...options }),
    // One embedded database has one connection: another process's view is the same client.
    another: async () => new PostgresDesiredState(client, { schema, ...options }),
    seed: (state) => seed(client, schema, state),
    dispose: () => client.exec(`drop schema if exists ${schema} cascade`),
  };
});

if (postgres.skip) {
  it('Desired state in PostgreSQL', { skip: postgres.skip }, () => {});
} else {
  desiredStateContract('PostgreSQL', async (options) => {
    const store = await freshStore();
    const open = (client: SqlClient) =>
      new PostgresDesiredState(client, { schema: store.schema.name, ...options });
    return {
      source: open(store.client),
      another: async () => open(store.connect()),
      seed: (state) => seed(store.client, store.schema.name, state),
      dispose: () => store.dispose(),
    };
  });

  describe('PostgresDesiredState', () => {
    let store: Awaited<ReturnType<typeof freshStore>>;
    let table: string;
    before(async () => {
      store = await freshStore();
      table = `${store.schema.name}.slot_services`;
    });
    after(async () => {
      await store?.dispose();
    });

    it('reads empty tables as the default slots and no services', async () => {
      await seed(store.client, store.schema.name, { slots: [], services: {} });
      assert.deepEqual(await new PostgresDesiredState(store.client, { schema: store.schema.name }).read(), {
        slots: ['blue', 'green'],
        services: {},
      });
    });

    it('names the default table in its messages', () => {
      assert.equal(
        new PostgresDesiredState(store.client).description,
        'PostgreSQL table switchyard_slots.slot_services',
      );
    });

    it('refuses a row edited by hand to a slot not in the list, naming the table and the path', async () => {
      await seed(store.client, store.schema.name, {
        slots: ['blue', 'green'],
        services: { billing: { live: 'blue' } },
      });
      await store.client.query(`update ${table} set live = 'purple' where service = 'billing'`);
      const source = new PostgresDesiredState(store.client, { schema: store.schema.name });
      await assert.rejects(source.read(), (error: unknown) => {
        assert.ok(error instanceof DesiredStateError);
        assert.equal(error.source, `PostgreSQL table ${table}`);
        assert.equal(error.path, 'services.billing.live');
        assert.equal(
          error.message,
          `PostgreSQL table ${table}: services.billing.live: is "purple", not one of the slots (blue, green)`,
        );
        return true;
      });
    });

    it('refuses a version row naming a slot not in the list', async () => {
      await seed(store.client, store.schema.name, {
        slots: ['blue', 'green'],
        services: { billing: { live: 'blue', versions: { red: '2026.12.1' } } },
      });
      await assert.rejects(new PostgresDesiredState(store.client, { schema: store.schema.name }).read(), {
        path: 'services.billing.versions.red',
      });
    });

    it('checks in SQL what SQL can: slot names, canary share and slot, versions', async () => {
      const insert = (values: string) =>
        store.client.query(
          `insert into ${table} (service, live, canary_slot, canary_percent, versions) values ${values}`,
        );
      for (const values of [
        `('a', 'Blue', null, null, '{}')`,
        `('a', 'blue', 'blue', 10, '{}')`,
        `('a', 'blue', 'green', 0, '{}')`,
        `('a', 'blue', 'green', 100, '{}')`,
        `('a', 'blue', 'green', null, '{}')`,
        `('a', 'blue', null, 10, '{}')`,
        `('a', 'blue', null, null, '[]')`,
        `('a', 'blue', null, null, '{"blue": ""}')`,
        `('a', 'blue', null, null, '{"blue": 3}')`,
        `('', 'blue', null, null, '{}')`,
      ]) {
        await assert.rejects(insert(values), /check constraint/, values);
      }
      await assert.rejects(
        store.client.query(
          `insert into ${store.schema.name}.slot_names (name, position) values ('Green', 9)`,
        ),
        /check constraint/,
      );
      await insert(`('fine', 'blue', 'green', 99, '{"blue": "2026.12.1"}')`);
    });

    it('checks the previous slot in SQL: a slot name, and not the live slot', async () => {
      const insert = (values: string) =>
        store.client.query(`insert into ${table} (service, live, previous) values ${values}`);
      for (const values of [`('p', 'blue', 'blue')`, `('p', 'blue', 'Green')`, `('p', 'blue', '')`]) {
        await assert.rejects(insert(values), /check constraint "slot_services_previous_check"/, values);
      }
      await insert(`('p', 'blue', 'green')`);
      await insert(`('q', 'blue', null)`);
      // A switch that moves live onto the previous slot without moving previous is refused too.
      await assert.rejects(
        store.client.query(`update ${table} set live = 'green' where service = 'p'`),
        /check constraint "slot_services_previous_check"/,
      );
    });
  });
}
