import { after } from 'node:test';
import {
  connectPostgres,
  migrate,
  openPglite,
  type SqlClient,
  switchyardMigrations,
} from '@switchyard/postgres';
import { postgresForTests } from '@switchyard/testing';

/** A fresh schema with Switchyard's tables, on one of the databases the package runs on. */
export interface FreshStore {
  readonly client: SqlClient;
  readonly schema: string;
  /** A connection string for this database whose search_path is the schema (PostgreSQL only). */
  readonly url: string;
  /** Another client on the same database: another process's pool on a server; the same PGlite in process. */
  connect(): Promise<SqlClient>;
  dispose(): Promise<void>;
}

/** PostgreSQL (a server) or PGlite (embedded), for contract suites to run on both. */
export interface DatabaseUnderTest {
  readonly name: 'PostgreSQL' | 'PGlite';
  /** False when the tests run; otherwise why they are skipped. */
  readonly skip: string | false;
  fresh(): Promise<FreshStore>;
}

let schemaCounter = 0;

/**
 * Call at the top of a test file. PostgreSQL gets a new schema (and pools) per fixture; PGlite, which
 * takes seconds to start, is started once per file and gets a new schema per fixture.
 */
export async function databasesUnderTest(): Promise<DatabaseUnderTest[]> {
  const postgres = await postgresForTests();
  let pglite: Promise<SqlClient> | undefined;
  after(async () => {
    await (await pglite)?.close();
  });

  return [
    {
      name: 'PostgreSQL',
      skip: postgres.skip,
      async fresh() {
        const schema = await postgres.createSchema();
        const clients: SqlClient[] = [];
        const connect = async () => {
          const client = connectPostgres({ url: schema.url, maxConnections: 4 });
          clients.push(client);
          return client;
        };
        const client = await connect();
        await migrate(client, await switchyardMigrations(schema.name));
        return {
          client,
          schema: schema.name,
          url: schema.url,
          connect,
          async dispose() {
            for (const each of clients) await each.close();
            await schema.drop();
          },
        };
      },
    },
    {
      name: 'PGlite',
      skip: false,
      async fresh() {
        pglite ??= openPglite();
        const client = await pglite;
        const schema = `yard_pglite_${process.pid}_${++schemaCounter}`;
        await migrate(client, await switchyardMigrations(schema));
        return {
          client,
          schema,
          url: '',
          connect: async () => client,
          async dispose() {
            await client.exec(`drop schema if exists ${schema} cascade`);
          },
        };
      },
    },
  ];
}

/** A clock that stands still until a test moves it; it starts at the real time so dates look real. */
export function manualClock() {
  let time = Date.now();
  return {
    now: () => time,
    advance(ms: number) {
      time += ms;
    },
  };
}
