import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openPglite } from '@switchyard/postgres';
import {
  postgresForTests,
  rabbitmqForTests,
  startListeningProcess,
  type TestDatabase,
  type TestVhost,
} from '@switchyard/testing';
import { exitCodes } from '../src/index.ts';
import { runYard } from './support/run-yard.ts';

// Each failure a command can meet from its servers ends in one line that says what is wrong and what
// to do, with the documented exit code: never a driver's raw text or a stack trace.
const here = dirname(fileURLToPath(import.meta.url));
const appFile = join(here, 'fixtures', 'refunds-app.ts');
const yardBin = join(here, '..', 'src', 'bin', 'yard.ts');
const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();

function yard(env: NodeJS.ProcessEnv, ...args: string[]) {
  return runYard(['--app', appFile, ...args], { env: { PATH: process.env.PATH, ...env }, cwd: here });
}

/** The failure as printed: its last stderr line, after asserting that it is the only one that matters. */
function oneLine(err: string): string {
  const lines = err
    .trim()
    .split('\n')
    .filter((line) => !line.startsWith('Embedded database: '));
  assert.equal(lines.length, 1, `one line, got:\n${err}`);
  assert.doesNotMatch(err, /^\s+at /m, 'no stack trace');
  return lines[0] as string;
}

describe('yard failures on the embedded database', () => {
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'yard-failures-'));
  });

  after(() => rm(dataDir, { recursive: true, force: true }));

  it('says to run yard migrate on a database that has not been migrated', { timeout: 60_000 }, async () => {
    await (await openPglite({ dataDir })).close();
    const shown = await yard(
      { SWITCHYARD_DATABASE__DATA_DIR: dataDir },
      'saga',
      'show',
      'clitest.Refund',
      'r-1',
    );
    assert.equal(shown.code, exitCodes.notFound, shown.err);
    assert.match(oneLine(shown.err), /The database has not been migrated .*: run `yard migrate`/);
    const listed = await yard({ SWITCHYARD_DATABASE__DATA_DIR: dataDir }, 'errors', 'list', 'refunds_error');
    assert.equal(listed.code, exitCodes.notFound, listed.err);
    assert.match(oneLine(listed.err), /run `yard migrate`/);
  });

  it('names the process that holds the folder while the app runs', { timeout: 60_000 }, async () => {
    const env = { SWITCHYARD_DATABASE__DATA_DIR: dataDir, SWITCHYARD_HTTP__PORT: '0' };
    const { child } = await startListeningProcess(yardBin, { args: ['--app', appFile, 'start'], env });
    try {
      const listed = await yard(env, 'errors', 'list', 'refunds_error');
      assert.equal(listed.code, exitCodes.failed);
      assert.match(
        oneLine(listed.err),
        new RegExp(`is open in process ${child.pid} .*stop that process first`),
      );
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});

describe('yard failures on PostgreSQL', { skip: postgres.skip }, () => {
  let database: TestDatabase;

  before(async () => {
    database = await postgres.createDatabase();
  });

  after(() => database?.drop());

  it('says to run yard migrate on a database that has not been migrated', async () => {
    const shown = await yard({ DATABASE_URL: database.url }, 'saga', 'show', 'clitest.Refund', 'r-1');
    assert.equal(shown.code, exitCodes.notFound, shown.err);
    assert.match(oneLine(shown.err), /has not been migrated .*run `yard migrate`/);
  });

  it('says the server cannot be reached, without the password', async () => {
    const down = await yard(
      { DATABASE_URL: 'postgres://postgres:s3cret@127.0.0.1:1/test' },
      'saga',
      'show',
      'clitest.Refund',
      'r-1',
    );
    assert.equal(down.code, exitCodes.failed);
    const line = oneLine(down.err);
    assert.match(
      line,
      /^Cannot reach PostgreSQL at postgres:\/\/postgres:\*+@127\.0\.0\.1:1\/test \(ECONNREFUSED\)/,
    );
    assert.doesNotMatch(line, /s3cret/);
  });

  it('names a database the server does not have', async () => {
    const url = new URL(database.url);
    url.pathname = '/no_such_database_for_yard';
    const missing = await yard({ DATABASE_URL: url.toString() }, 'errors', 'list', 'refunds_error');
    assert.equal(missing.code, exitCodes.failed);
    assert.match(oneLine(missing.err), /PostgreSQL has no database "no_such_database_for_yard"/);
  });
});

describe('yard failures on RabbitMQ', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;
  let dataDir: string;

  before(async () => {
    vhost = await rabbitmq.createVhost();
    dataDir = await mkdtemp(join(tmpdir(), 'yard-failures-rabbitmq-'));
  });

  after(async () => {
    await vhost?.delete();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('names the queue the broker does not have, for every error queue command', async () => {
    const env = { RABBITMQ_URL: vhost.url, SWITCHYARD_DATABASE__DATA_DIR: dataDir };
    for (const args of [
      ['errors', 'list', 'orders_error'],
      ['errors', 'show', 'orders_error', 'm-1'],
      ['errors', 'retry', 'orders_error', '--all'],
      ['errors', 'purge', 'orders_error', '--yes'],
    ]) {
      const { code, err } = await yard(env, ...args);
      assert.equal(code, exitCodes.notFound, `yard ${args.join(' ')}: ${err}`);
      const line = oneLine(err);
      assert.match(line, /^RabbitMQ has no queue "orders_error" in vhost "[^"]+": check the name/);
      assert.doesNotMatch(line, /Operation failed|NOT-FOUND/);
    }
  });

  it('says the broker cannot be reached, or refused the login, without the password', async () => {
    const down = await yard(
      { RABBITMQ_URL: 'amqp://guest:s3cret@127.0.0.1:1' },
      'errors',
      'list',
      'orders_error',
    );
    assert.equal(down.code, exitCodes.failed);
    assert.match(
      oneLine(down.err),
      /^Cannot reach RabbitMQ at amqp:\/\/guest:\*+@127\.0\.0\.1:1 \(ECONNREFUSED\): start it/,
    );
    const url = new URL(vhost.url);
    url.password = 'wrong-password';
    const refused = await yard({ RABBITMQ_URL: url.toString() }, 'errors', 'list', 'orders_error');
    assert.equal(refused.code, exitCodes.failed);
    const line = oneLine(refused.err);
    assert.match(line, /refused the login: check the user and password in RABBITMQ_URL/);
    assert.doesNotMatch(line, /wrong-password/);
  });
});
