import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startListeningProcess } from '@switchyard/testing';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main.ts');

it('starts as `npm start` does: embedded, seeded, ready, documented, and stops cleanly', {
  timeout: 90_000,
}, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'milkround-start-'));
  try {
    // What `npm start` runs, with only the data folder and port changed so tests do not collide.
    const { child, url, output } = await startListeningProcess(main, {
      env: { SWITCHYARD_DATABASE__DATA_DIR: dataDir, SWITCHYARD_HTTP__PORT: '0' },
    });
    assert.match(output, /"docs":"http:\/\/[^"]+\/docs"/, 'and the OpenAPI page');

    assert.equal((await fetch(`${url}/health/ready`)).status, 200);
    const page = await fetch(`${url}/docs/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /swagger/i);
    const document = (await (await fetch(`${url}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    for (const path of ['/memberships', '/orders/standing', '/deliveries/runs', '/returns/complaints']) {
      assert.ok(document.paths[path], `${path} is documented`);
    }
    const demo = await fetch(`${url}/memberships/demo-ada`);
    assert.equal(demo.status, 200, 'demo data is seeded on first start');

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
