import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { column, openPglite } from '@switchyard/postgres';
import { startListeningProcess } from '@switchyard/testing';

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'notes-process.ts');

/** Runs the notes process with only PATH and `env`, to its exit, keeping what it printed. */
async function runToExit(
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [fixture], {
    env: { PATH: process.env.PATH ?? '', SWITCHYARD_DATABASE__DATA_DIR: 'memory', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const [code] = (await once(child, 'exit')) as [number];
  return { code, stdout, stderr };
}

describe('a host process', () => {
  it('refuses to start on a bad configuration, naming each path, its source and the rule', async () => {
    const child = spawn(process.execPath, [fixture], {
      env: {
        PATH: process.env.PATH ?? '',
        SWITCHYARD_HTTP__PORT: 'eighty',
        SWITCHYARD_TRANSPORT__KIND: 'rabbitmq',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const [code] = await once(child, 'exit');
    assert.equal(code, 2);
    assert.match(
      stderr,
      /http\.port \(from env SWITCHYARD_HTTP__PORT\): expected an integer from 0 to 65535, got "eighty"/,
    );
    assert.match(stderr, /transport\.url .*is required when transport\.kind is "rabbitmq"/);
  });

  it('prints no secret when it refuses a configuration holding passwords and a token', async () => {
    const { code, stdout, stderr } = await runToExit({
      DATABASE_URL: 'postgres://app:pa ss@w0rd-db@db:99999/x',
      RABBITMQ_URL: 'amqp://guest:s3cret-amqp@broker:99999/?password=s3cret-query',
      SWITCHYARD_OPERATIONS_TOKEN: 'tiny-s3cret',
      SWITCHYARD_HTTP__PORT: 'eighty',
    });
    assert.equal(code, 2);
    assert.match(stderr, /database\.url \(from env DATABASE_URL\)/);
    assert.match(stderr, /transport\.url \(from env RABBITMQ_URL\)/);
    assert.match(stderr, /http\.operationsToken \(from env SWITCHYARD_OPERATIONS_TOKEN\)/);
    for (const secret of ['w0rd', 'ss@', 's3cret']) {
      assert.ok(!`${stdout}${stderr}`.includes(secret), `${secret} printed:\n${stderr}`);
    }
  });

  it('refuses to bind beyond loopback without an operations token, naming the setting and the rule', async () => {
    const { code, stderr } = await runToExit({
      SWITCHYARD_HTTP__HOST: '0.0.0.0',
      SWITCHYARD_HTTP__PORT: '0',
    });
    assert.equal(code, 2);
    assert.match(
      stderr,
      /http\.operationsToken \(from default\): is required because http\.host is "0\.0\.0\.0"/,
    );
  });

  it('logs no secret at start-up, nor when the database refuses it', async () => {
    const { code, stdout, stderr } = await runToExit({
      DATABASE_URL: 'postgres://postgres:s3cret-pw@127.0.0.1:1/test?password=s3cret-q&sslpassword=s3cret-r',
      SWITCHYARD_LOG__LEVEL: 'info',
      SWITCHYARD_HTTP__PORT: '0',
    });
    assert.equal(code, 1, 'the database cannot be reached');
    const lines = stdout.split('\n').filter((line) => line.trim() !== '');
    assert.ok(
      lines.some((line) => line.includes('Using PostgreSQL')),
      `the start-up line is there:\n${stdout}`,
    );
    assert.ok(
      lines.some((line) => JSON.parse(line).level === 60),
      `the failure is logged:\n${stdout}`,
    );
    assert.ok(!`${stdout}${stderr}`.includes('s3cret'), `${stdout}\n${stderr}`);
  });

  it('on SIGTERM stops taking requests, finishes the messages in flight and exits 0', {
    timeout: 60_000,
  }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'yard-host-'));
    try {
      const { child, url } = await startListeningProcess(fixture, {
        env: {
          SWITCHYARD_DATABASE__DATA_DIR: dataDir,
          SWITCHYARD_HTTP__PORT: '0',
          SWITCHYARD_LOG__LEVEL: 'info',
          HANDLE_DELAY_MS: '1500',
        },
      });
      const ids = ['a', 'b', 'c', 'd', 'e'];
      for (const id of ids) {
        const response = await fetch(`${url}/notes`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ id, text: `note ${id}` }),
        });
        assert.equal(response.status, 202);
      }
      // The consumer is now inside its 1.5 s pause for each note.
      await new Promise((resolve) => setTimeout(resolve, 300));
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      assert.equal(code, 0, 'a clean stop');
      await assert.rejects(fetch(`${url}/health/live`), 'the server no longer listens');

      const sql = await openPglite({ dataDir });
      try {
        const { rows } = await sql.query('select id from notes.notes order by id');
        assert.deepEqual(
          rows.map((row) => column.text(row, 'id')),
          ['a', 'b', 'c', 'd', 'e', 'welcome'],
          'every note in flight was saved before the process exited',
        );
      } finally {
        await sql.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
