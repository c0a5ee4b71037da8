import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AppDefinition } from '@switchyard/host';
import { CliError, exitCodes } from './exit-codes.ts';

/**
 * Finds the application: `--app <file>`, else `SWITCHYARD_APP`, else the `switchyard.app` field of the
 * nearest package.json above the working directory. The file exports the app as `app`.
 */
export async function loadApp(
  given: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<AppDefinition> {
  const file = given ?? env.SWITCHYARD_APP ?? appFromPackageJson(cwd);
  if (!file) {
    throw new CliError(
      'No application to run: pass --app <file>, set SWITCHYARD_APP, or add "switchyard": { "app": "<file>" } to package.json',
      exitCodes.usage,
    );
  }
  const path = resolve(cwd, file);
  if (!existsSync(path)) throw new CliError(`The application file ${path} does not exist`, exitCodes.usage);
  const loaded = (await import(pathToFileURL(path).href)) as { app?: AppDefinition };
  if (!loaded.app || typeof loaded.app.modules !== 'function') {
    throw new CliError(
      `${path} does not export an application as "app" (defineApp from @switchyard/host)`,
      exitCodes.usage,
    );
  }
  return loaded.app;
}

function appFromPackageJson(start: string): string | undefined {
  return switchyardFileFromPackageJson(start, 'app');
}

/**
 * A file named in the `switchyard` field of the nearest package.json above `start` that names it
 * (`app`, `regression`), as a path from that package.json's folder.
 */
export function switchyardFileFromPackageJson(
  start: string,
  field: 'app' | 'regression',
): string | undefined {
  for (let directory = resolve(start); ; directory = dirname(directory)) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest)) {
      const named = (JSON.parse(readFileSync(manifest, 'utf8')) as { switchyard?: Record<string, unknown> })
        .switchyard?.[field];
      if (typeof named === 'string' && named !== '') return join(directory, named);
    }
    if (dirname(directory) === directory) return undefined;
  }
}
