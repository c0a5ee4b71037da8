import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RegressionSuiteError } from '../regression-errors.ts';
import { isRegressionSuite, type RegressionSuite } from './define-regression-suite.ts';

/**
 * Loads the suite a module exports as `suite` (a file path, relative to `cwd`, or a file URL). Used by
 * the command line and by comparison worker threads, which each load the suite on their own.
 */
export async function loadRegressionSuite(
  file: string,
  cwd: string = process.cwd(),
): Promise<RegressionSuite> {
  const url = file.startsWith('file:') ? file : pathToFileURL(resolve(cwd, file)).href;
  if (!file.startsWith('file:') && !existsSync(resolve(cwd, file))) {
    throw new RegressionSuiteError(`The regression suite file ${resolve(cwd, file)} does not exist`);
  }
  const loaded = (await import(url)) as { suite?: unknown };
  if (!isRegressionSuite(loaded.suite)) {
    throw new RegressionSuiteError(
      `${file} does not export a regression suite as "suite" (defineRegressionSuite from @switchyard/regression)`,
    );
  }
  return loaded.suite;
}
