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
