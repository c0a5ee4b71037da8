import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { MigrationError } from '../postgres-errors.ts';

/** One numbered migration file. */
export interface Migration {
  readonly version: number;
  /** The file name, e.g. `0001_outbox.sql`. */
  readonly name: string;
  readonly sql: string;
  /** SHA-256 of the file with line endings normalised, so a checkout on Windows is not an edit. */
  readonly checksum: string;
}

const fileNamePattern = /^(\d{4,})_[a-z0-9_]+\.sql$/;

/** A migration made from text; `name` must look like `0001_what_it_does.sql`. */
export function migration(name: string, sql: string): Migration {
  const match = fileNamePattern.exec(name);
  if (!match) {
    throw new MigrationError(
      `Migration file name "${name}" must be a number of at least four digits, an underscore and a lower-case name ending in .sql, e.g. 0001_create_orders.sql`,
    );
  }
  const normalised = sql.replaceAll('\r\n', '\n');
  return {
    version: Number(match[1]),
    name,
    sql: normalised,
    checksum: createHash('sha256').update(normalised).digest('hex'),
  };
}

/** Reads every `.sql` file of a folder as a migration, in version order; other files are ignored. */
export async function loadMigrations(directory: string | URL): Promise<Migration[]> {
  const path = typeof directory === 'string' ? directory : fileURLToPath(directory);
  const names = (await readdir(path)).filter((name) => name.endsWith('.sql'));
  const migrations = await Promise.all(
    names.map(async (name) => migration(name, await readFile(`${path}/${name}`, 'utf8'))),
  );
  return sortedByVersion(migrations);
}

/** Sorts migrations by version; two files with one version are an error naming both. */
export function sortedByVersion(migrations: readonly Migration[]): Migration[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  for (let index = 1; index < sorted.length; index++) {
    const previous = sorted[index - 1] as Migration;
    const current = sorted[index] as Migration;
    if (previous.version === current.version) {
      throw new MigrationError(
        `Migrations "${previous.name}" and "${current.name}" share version ${current.version}; renumber one`,
      );
    }
  }
  return sorted;
}
