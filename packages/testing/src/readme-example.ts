import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * Runs the first ```ts example of a package's README as a program and resolves with what it printed.
 * `testFileUrl` is the calling test's `import.meta.url`: the README is the one of the package it
 * tests, and the example is written beside the test so that its imports resolve as a user's would.
 */
export async function runReadmeExample(
  testFileUrl: string,
  options: { timeoutMs?: number } = {},
): Promise<string> {
  const testDirectory = dirname(fileURLToPath(testFileUrl));
  const readme = await readFile(join(testDirectory, '..', 'README.md'), 'utf8');
  const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!example) throw new Error(`${join(testDirectory, '..', 'README.md')} has no \`\`\`ts example`);
  const file = join(testDirectory, `.readme-example-${process.pid}.ts`);
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
