import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));

it('runs the README example on PGlite and prints what the README says', async () => {
  const readme = await readFile(join(here, '..', 'README.md'), 'utf8');
  const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(example, 'the README has a ts example');
  // Written beside the tests so that its imports resolve as a user's would.
  const file = join(here, `.readme-example-${process.pid}.ts`);
  await writeFile(file, example);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [file], { timeout: 60_000 });
    assert.equal(stdout.trim(), 'billed o-42 for 2 pints');
  } finally {
    await rm(file, { force: true });
  }
});
