import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { exitCodes } from '../src/index.ts';
import { runYard } from './support/run-yard.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** Runs yard in this process with only `env`; resolves with the exit code and what it wrote. */
function yard(env: NodeJS.ProcessEnv, ...args: string[]) {
  return runYard(args, { env: { PATH: process.env.PATH, ...env }, cwd: here });
}

describe('yard never prints a secret', () => {
  it('in a configuration error, even for a URL that does not parse', async () => {
    const { code, out, err } = await yard(
      { DATABASE_URL: 'postgres://app:pa ss@w0rd-db@db:99999/x', SWITCHYARD_OPERATIONS_TOKEN: 'tiny-s3cret' },
      '--app',
      join(here, 'fixtures', 'refunds-app.ts'),
      'migrate',
    );
    assert.equal(code, exitCodes.usage);
    assert.match(err, /database\.url \(from env DATABASE_URL\)/);
    assert.ok(!/w0rd|s3cret/.test(`${out}${err}`), err);
  });

  it('nor hides our own words: binding beyond loopback without a token is refused, readably', async () => {
    const { code, err } = await yard(
      { SWITCHYARD_HTTP__HOST: '0.0.0.0', SWITCHYARD_DATABASE__DATA_DIR: 'memory' },
      '--app',
      join(here, 'fixtures', 'refunds-app.ts'),
      'start',
    );
    assert.equal(code, exitCodes.usage);
    assert.match(
      err,
      /http\.operationsToken \(from default\): is required because http\.host is "0\.0\.0\.0"/,
    );
    assert.match(err, /Set a bearer token of at least 16 characters/);
  });

  it('in an error some library threw with a connection string in its message', async () => {
    const { code, out, err } = await yard({}, '--app', join(here, 'fixtures', 'leaky-app.ts'), 'migrate');
    assert.equal(code, exitCodes.failed);
    assert.match(err, /cannot reach postgres:\/\/app:\*\*\*@db:5432\/x\?password=\*\*\*/);
    assert.ok(!/s3cret/.test(`${out}${err}`), err);
  });
});
