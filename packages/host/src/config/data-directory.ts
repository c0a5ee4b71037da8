import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** Whether `database.dataDir` asks for a database kept in memory rather than in a folder. */
export function isInMemoryDataDir(dataDir: string): boolean {
  return dataDir === '' || dataDir === 'memory';
}

/**
 * The folder a relative `database.dataDir` is read from when no config file set it: the folder of
 * the nearest package.json above `start` that names the app (`"switchyard": { "app": ... }`, as `yard`
 * finds it), else of the nearest package.json, else `start` itself. So `yard` and `npm start` find the
 * same database from any subfolder of the project.
 */
export function projectRoot(start: string): string {
  let nearest: string | undefined;
  for (let directory = resolve(start); ; directory = dirname(directory)) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest)) {
      nearest ??= directory;
      if (namesAnApp(manifest)) return directory;
    }
    if (dirname(directory) === directory) return nearest ?? resolve(start);
  }
}

function namesAnApp(manifest: string): boolean {
  try {
    const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { switchyard?: { app?: unknown } };
    return typeof parsed.switchyard?.app === 'string';
  } catch {
    // A package.json that cannot be read names no app; the search goes on above it.
    return false;
  }
}

/** `dataDir` as an absolute folder, a relative one read from `base`; in-memory values stay as they are. */
export function resolveDataDir(dataDir: string, base: string): string {
  if (isInMemoryDataDir(dataDir) || isAbsolute(dataDir)) return dataDir;
  return resolve(base, dataDir);
}
