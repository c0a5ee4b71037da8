import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { exitCodes } from '../src/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const yardBin = join(here, '..', 'src', 'bin', 'yard.ts');
const appFile = join(here, 'fixtures', 'refunds-app.ts');

/** Runs the real `yard` in `cwd`, as a person in that folder would: no --app, no data folder set. */
async function yardIn(
  cwd: string,
  ...args: string[]
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [yardBin, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out, err };
}

// A project whose package.json names the app, and a folder two levels below it to run `yard` from.
describe('yard finds the embedded database from the project root', () => {
  let root: string;
  let deep: string;
  let dataDir: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'yard-project-'));
    deep = join(root, 'tools', 'scripts');
    await mkdir(deep, { recursive: true });
    await writeFile(
      join(root, 'package.json'),
      JSON.stringify({ switchyard: { app: relative(root, appFile) } }),
    );
    dataDir = join(root, 'data', 'pglite');
  });

  after(() => rm(root, { recursive: true, force: true }));

  it('refuses every read-only command while there is no database, and creates none', {
    timeout: 60_000,
  }, async () => {
    for (const args of [
      ['errors', 'list', 'refunds_error'],
      ['errors', 'show', 'refunds_error', 'm-1'],
      ['saga', 'show', 'clitest.Refund', 'r-1'],
    ]) {
      const { code, err } = await yardIn(deep, ...args);
      assert.equal(code, exitCodes.notFound, `yard ${args.join(' ')}: ${err}`);
      assert.match(
        err,
        new RegExp(`No embedded database at ${dataDir}: start the app once, or run \`yard migrate\``),
      );
      assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
    }
    const plan = await yardIn(deep, 'topology', 'plan');
    assert.equal(plan.code, exitCodes.ok, plan.err);
    assert.match(plan.out, /refunds_error/);
    assert.equal(existsSync(dataDir), false, 'no database in the project root');
    assert.equal(existsSync(join(deep, 'data')), false, 'nor in the folder yard ran from');
  });

  it('migrates into the project root from a subfolder, says where, and reads it from there', {
    timeout: 60_000,
  }, async () => {
    const migrated = await yardIn(deep, 'migrate');
    assert.equal(migrated.code, exitCodes.ok, migrated.err);
    assert.match(migrated.err, new RegExp(`Embedded database: ${dataDir}`));
    assert.ok(existsSync(join(dataDir, 'PG_VERSION')), 'the database is in <root>/data/pglite');
    assert.equal(existsSync(join(deep, 'data')), false, 'not in the folder yard ran from');
    const listed = await yardIn(root, '--json', 'errors', 'list', 'refunds_error');
    assert.equal(listed.code, exitCodes.ok, listed.err);
    assert.deepEqual(JSON.parse(listed.out), []);
  });
});
