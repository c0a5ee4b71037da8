import { MigrationError } from '../postgres-errors.ts';
import { quoteIdentifier } from '../sql/identifiers.ts';
import { column } from '../sql/row-values.ts';
import type { SqlClient, SqlTransaction } from '../sql/sql-client.ts';
import { type Migration, sortedByVersion } from './migration-files.ts';

/** The migrations one package or module owns, applied into its schema. */
export interface MigrationSet {
  /** Who owns the files, e.g. `switchyard` or `orders`; versions are numbered per owner. */
  readonly owner: string;
  /** The schema the files create their tables in; created if missing. Files use unqualified names. */
  readonly schema: string;
  readonly migrations: readonly Migration[];
}

/** What a run did. */
export interface MigrationReport {
  readonly applied: readonly string[];
  readonly alreadyApplied: number;
}

/**
 * Applies the set's pending migrations in version order, in one transaction, holding an advisory
 * lock so that only one runner works on a schema at a time (others wait, then find nothing to do).
 * Refuses, changing nothing, when an applied file was edited, or when the database has a migration
 * the files no longer have. Each file runs with the set's schema as its search_path.
 */
export async function migrate(client: SqlClient, set: MigrationSet): Promise<MigrationReport> {
  const migrations = sortedByVersion(set.migrations);
  const schema = quoteIdentifier(set.schema);
  return client.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `switchyard.migrations:${set.schema}`,
    ]);
    await tx.exec(`create schema if not exists ${schema}`);
    await tx.exec(
      `create table if not exists ${schema}.yard_migrations (
         owner text not null,
         version integer not null,
         name text not null,
         checksum text not null,
         applied_at timestamptz not null default now(),
         primary key (owner, version)
       )`,
    );
    const applied = await appliedMigrations(tx, schema, set.owner);
    checkAppliedUnchanged(set, migrations, applied);
    const pending = migrations.filter((each) => !applied.has(each.version));
    for (const each of pending) {
      await tx.exec(`set local search_path to ${schema}`);
      try {
        await tx.exec(each.sql);
      } catch (error) {
        throw new MigrationError(
          `Migration ${set.owner}/${each.name} failed; nothing was applied: ${(error as Error).message}`,
          { cause: error },
        );
      }
      await tx.query(
        `insert into ${schema}.yard_migrations (owner, version, name, checksum) values ($1, $2, $3, $4)`,
        [set.owner, each.version, each.name, each.checksum],
      );
    }
    return { applied: pending.map((each) => each.name), alreadyApplied: applied.size };
  });
}

async function appliedMigrations(
  tx: SqlTransaction,
  schema: string,
  owner: string,
): Promise<Map<number, { name: string; checksum: string }>> {
  const { rows } = await tx.query(
    `select version, name, checksum from ${schema}.yard_migrations where owner = $1 order by version`,
    [owner],
  );
  return new Map(
    rows.map((row) => [
      column.integer(row, 'version'),
      { name: column.text(row, 'name'), checksum: column.text(row, 'checksum') },
    ]),
  );
}

function checkAppliedUnchanged(
  set: MigrationSet,
  migrations: readonly Migration[],
  applied: ReadonlyMap<number, { name: string; checksum: string }>,
): void {
  const byVersion = new Map(migrations.map((each) => [each.version, each]));
  for (const [version, record] of applied) {
    const file = byVersion.get(version);
    if (!file) {
      throw new MigrationError(
        `The database has migration ${set.owner}/${record.name} applied, but no file has version ${version}; this code is older than the database`,
      );
    }
    if (file.checksum !== record.checksum) {
      throw new MigrationError(
        `Migration ${set.owner}/${file.name} was edited after it was applied (checksum ${file.checksum.slice(0, 12)}… differs from the applied ${record.checksum.slice(0, 12)}…); add a new migration instead of editing an applied one`,
      );
    }
  }
}
