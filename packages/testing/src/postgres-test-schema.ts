import { redactUrl } from '@switchyard/bus';
import pg from 'pg';
import { requirementFor, type TestEnvironment } from './service-requirement.ts';
import { abandonedAfterMs, freshTestName, isAbandonedTestName } from './test-names.ts';

/** A schema that exists only for one test file. */
export interface TestSchema {
  /** The schema's name, already a valid unquoted identifier. */
  readonly name: string;
  /** A connection string whose search_path is this schema, for any driver that honours `options`. */
  readonly url: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/** A database that exists only for one test file: for code that makes schemas of its own (the host). */
export interface TestDatabase {
  readonly name: string;
  /** A connection string for this database. */
  readonly url: string;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

/** What an integration test file gets: skip it, or make fresh schemas (or databases) on the server. */
export interface PostgresForTests {
  /** False when the tests run; otherwise the one-line reason they are skipped. */
  readonly skip: string | false;
  /** The server's connection string (unset when skipped). */
  readonly url: string;
  /** Creates a fresh schema; call in `before` and drop it in `after`. */
  createSchema(): Promise<TestSchema>;
  /** Creates a fresh database; call in `before` and drop it in `after`. */
  createDatabase(): Promise<TestDatabase>;
}

const connectTimeoutMs = 5_000;

/**
 * Reads DATABASE_URL and checks the server answers. Skips outside CI when the variable is unset;
 * throws (so the test file fails) when it is set but the server does not answer, or in CI when unset.
 */
export async function postgresForTests(env: TestEnvironment = process.env): Promise<PostgresForTests> {
  const requirement = requirementFor('PostgreSQL', 'DATABASE_URL', env);
  if (requirement.kind === 'fail') throw new Error(requirement.reason);
  if (requirement.kind === 'skip') {
    return {
      skip: requirement.reason,
      url: '',
      createSchema: () => Promise.reject(new Error(requirement.reason)),
      createDatabase: () => Promise.reject(new Error(requirement.reason)),
    };
  }
  const url = requirement.url;
  await withClient(url, async (client) => {
    await client.query('select 1');
    await dropAbandonedSchemasAndDatabases(client);
  });
  return {
    skip: false,
    url,
    createSchema: () => createSchema(url),
    createDatabase: () => createDatabase(url),
  };
}

async function createSchema(serverUrl: string): Promise<TestSchema> {
  const name = freshTestName();
  await withClient(serverUrl, (client) => client.query(`create schema ${name}`));
  return {
    name,
    url: urlWithSearchPath(serverUrl, name),
    drop: () =>
      withClient(serverUrl, (client) => client.query(`drop schema if exists ${name} cascade`)).then(() => {}),
  };
}

async function createDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = freshTestName();
  await withClient(serverUrl, (client) => client.query(`create database ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      withClient(serverUrl, (client) => client.query(`drop database if exists ${name} with (force)`)).then(
        () => {},
      ),
  };
}

/** Removes schemas and databases left by test runs that were killed before their `after` hooks ran. */
async function dropAbandonedSchemasAndDatabases(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `select nspname as name from pg_namespace where nspname like 'yard\\_test\\_%'`,
  );
  const now = Date.now();
  for (const { name } of rows) {
    if (isAbandonedTestName(name, now, abandonedAfterMs)) {
      await client.query(`drop schema if exists ${name} cascade`);
    }
  }
  const databases = await client.query<{ name: string }>(
    `select datname as name from pg_database where datname like 'yard\\_test\\_%'`,
  );
  for (const { name } of databases.rows) {
    if (isAbandonedTestName(name, now, abandonedAfterMs)) {
      await client.query(`drop database if exists ${name} with (force)`);
    }
  }
}

function urlWithSearchPath(serverUrl: string, schema: string): string {
  const url = new URL(serverUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL at ${redactUrl(url)} did not answer (${(error as Error).message}). Start it (see README.md, "Running the tests") or unset DATABASE_URL to skip these tests outside CI.`,
      { cause: error },
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
