import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { ConfigError } from '../../src/index.ts';

/**
 * A temporary folder for a test file's configuration files, made before its tests and removed after:
 * `file` writes one there and gives its path; `pathIn` names one without writing it.
 */
export function configFiles(prefix: string): {
  file(name: string, text: string): Promise<string>;
  pathIn(name: string): string;
} {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return {
    async file(name, text) {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    },
    pathIn: (name) => join(dir, name),
  };
}

/** The ConfigError that `load` throws; fails the test when it throws nothing or something else. */
export function configError(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected loading to fail');
}
