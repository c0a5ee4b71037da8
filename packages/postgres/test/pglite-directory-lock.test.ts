import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EmbeddedDatabaseLockedError, openPglite } from '@switchyard/postgres';

const holder = new URL('./fixtures/hold-pglite.ts', import.meta.url).pathname;

describe('the embedded database folder is one process’s', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'yard-pglite-lock-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('refuses a second open while the first is open, naming the process, and allows it after close', async () => {
    const first = await openPglite({ dataDir });
    try {
      const refused = await openPglite({ dataDir }).then(
        () => assert.fail('a second open of the same folder must be refused'),
        (error: unknown) => error,
      );
      assert.ok(refused instanceof EmbeddedDatabaseLockedError);
      assert.equal(refused.code, 'EMBEDDED_DATABASE_LOCKED');
      assert.equal(refused.ownerPid, process.pid);
      assert.match(refused.message, new RegExp(`is open in process ${process.pid} `));
      assert.match(
        refused.message,
        /stop that process first, or run both on PostgreSQL by setting DATABASE_URL/,
      );
    } finally {
      await first.close();
    }
    await assert.rejects(access(join(dataDir, 'switchyard-owner.json')), 'close gives the folder back');
    const again = await openPglite({ dataDir });
    await again.close();
  });

  it('refuses while another process holds the folder, and takes it over once that process was killed', async () => {
    const child = spawn(process.execPath, [holder, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      child.stdout.setEncoding('utf8');
      const [line] = (await once(child.stdout, 'data')) as [string];
      assert.equal(line.trim(), 'holding');
      const refused = await openPglite({ dataDir }).then(
        () => assert.fail('the folder is held by the other process'),
        (error: unknown) => error,
      );
      assert.ok(refused instanceof EmbeddedDatabaseLockedError);
      assert.equal(refused.ownerPid, child.pid);
      assert.match(refused.message, /hold-pglite\.ts/, 'the message says what the other process runs');
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit').catch(() => {});
    }
    // kill -9 left its lock file behind; its process is gone, so the lock is stale.
    const taken = await openPglite({ dataDir });
    try {
      const { rows } = await taken.query('select 1 as one');
      assert.equal(rows[0]?.one, 1);
    } finally {
      await taken.close();
    }
  });
});
