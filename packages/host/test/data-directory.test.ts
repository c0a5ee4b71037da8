import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { projectRoot } from '../src/config/data-directory.ts';
import { loadHostConfig } from '../src/config/host-config.ts';

// A project as a user has it: the app named in the root package.json, a workspace package below it
// with a package.json of its own, and a folder deeper still to run commands from.
describe('database.dataDir', () => {
  let root: string;
  let deep: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'yard-data-dir-'));
    deep = join(root, 'packages', 'shop', 'src');
    await mkdir(deep, { recursive: true });
    await writeFile(join(root, 'package.json'), JSON.stringify({ switchyard: { app: 'src/app.ts' } }));
    await writeFile(join(root, 'packages', 'shop', 'package.json'), JSON.stringify({ name: 'shop' }));
    await mkdir(join(root, 'config'));
  });

  after(() => rm(root, { recursive: true, force: true }));

  test('a relative default or environment value is read from the project root, whatever the folder', () => {
    const byDefault = loadHostConfig({ env: {}, cwd: deep }).config.database.dataDir;
    assert.equal(byDefault, join(root, 'data', 'pglite'));
    assert.equal(loadHostConfig({ env: {}, cwd: root }).config.database.dataDir, byDefault);
    const fromEnv = loadHostConfig({ env: { SWITCHYARD_DATABASE__DATA_DIR: 'state/db' }, cwd: deep });
    assert.equal(fromEnv.config.database.dataDir, join(root, 'state', 'db'));
  });

  test("a relative value from a config file is read from the file's folder", async () => {
    const file = join(root, 'config', 'yard.json');
    await writeFile(file, JSON.stringify({ database: { dataDir: 'db' } }));
    assert.equal(
      loadHostConfig({ env: {}, cwd: deep, file }).config.database.dataDir,
      join(root, 'config', 'db'),
    );
    // The file sets something else: the default dataDir is still the project root's.
    await writeFile(file, JSON.stringify({ http: { port: 0 } }));
    assert.equal(
      loadHostConfig({ env: {}, cwd: deep, file }).config.database.dataDir,
      join(root, 'data', 'pglite'),
    );
  });

  test('absolute and in-memory values stay as they are', () => {
    for (const dataDir of ['memory', join(tmpdir(), 'elsewhere')]) {
      const { config } = loadHostConfig({ env: { SWITCHYARD_DATABASE__DATA_DIR: dataDir }, cwd: deep });
      assert.equal(config.database.dataDir, dataDir);
    }
  });

  test('without a package.json naming the app, the nearest package.json is the root, else the folder itself', async () => {
    const loose = await mkdtemp(join(tmpdir(), 'yard-data-dir-loose-'));
    try {
      await mkdir(join(loose, 'lib', 'deeper'), { recursive: true });
      assert.equal(projectRoot(join(loose, 'lib', 'deeper')), join(loose, 'lib', 'deeper'));
      await writeFile(join(loose, 'lib', 'package.json'), '{ "name": "lib" }');
      assert.equal(projectRoot(join(loose, 'lib', 'deeper')), join(loose, 'lib'));
    } finally {
      await rm(loose, { recursive: true, force: true });
    }
  });
});
