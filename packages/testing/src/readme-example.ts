import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** How long an example may run, and what it sees of the environment. */
export interface ExampleOptions {
  readonly timeoutMs?: number;
}

/**
 * Runs the first ```ts example of a package's README as a program and resolves with what it printed.
 * `testFileUrl` is the calling test's `import.meta.url`: the README is the one of the package it
 * tests, and the example is written beside the test so that its imports resolve as a user's would.
 */
export async function runReadmeExample(testFileUrl: string, options: ExampleOptions = {}): Promise<string> {
  const testDirectory = dirname(fileURLToPath(testFileUrl));
  const readme = join(testDirectory, '..', 'README.md');
  const example = /```ts\n([\s\S]*?)```/.exec(await readFile(readme, 'utf8'))?.[1];
  if (!example) throw new Error(`${readme} has no \`\`\`ts example`);
  return runExample(testDirectory, example, options);
}

/**
 * Runs the ```ts example in the module doc at the top of a package's `src/index.ts` (its lines start
 * with ` * `), as `runReadmeExample` runs the README's: the entry's example cannot go stale either.
 */
export async function runEntryExample(testFileUrl: string, options: ExampleOptions = {}): Promise<string> {
  const testDirectory = dirname(fileURLToPath(testFileUrl));
  const entry = join(testDirectory, '..', 'src', 'index.ts');
  const moduleDoc = /^\/\*\*([\s\S]*?)\*\//.exec(await readFile(entry, 'utf8'))?.[1] ?? '';
  const block = /```ts\n([\s\S]*?)\n\s*\*\s*```/.exec(moduleDoc)?.[1];
  if (!block) throw new Error(`${entry} opens with no module doc holding a \`\`\`ts example`);
  const example = block
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n');
  return runExample(testDirectory, example, options);
}

async function runExample(testDirectory: string, example: string, options: ExampleOptions): Promise<string> {
  const file = join(testDirectory, `.example-${process.pid}-${Date.now()}.ts`);
  await writeFile(file, example);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [file], {
      timeout: options.timeoutMs ?? 30_000,
    });
    return stdout.trim();
  } finally {
    await rm(file, { force: true });
  }
}
