import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHost, type Host, loadHostConfig } from '@switchyard/host';
import { exitCodes } from '../src/index.ts';
import { app } from './fixtures/refunds-commands-app.ts';
import { runYard } from './support/run-yard.ts';

const fixtures = join(import.meta.dirname, 'fixtures');
const appFile = join(fixtures, 'refunds-commands-app.ts');

describe("an app's own yard commands, against the running app", () => {
  let dataDir: string;
  let host: Host;
  let url: string;
  let env: NodeJS.ProcessEnv;
  const yard = (...args: string[]) => runYard(['--app', appFile, ...args], { env, cwd: fixtures });

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'yard-app-commands-'));
    const hostEnv = {
      SWITCHYARD_DATABASE__DATA_DIR: dataDir,
      SWITCHYARD_HTTP__PORT: '0',
      SWITCHYARD_LOG__LEVEL: 'silent',
    };
    host = createHost({
      config: loadHostConfig({ env: hostEnv, cwd: fixtures }).config,
      modules: app.modules(),
      title: app.title,
      version: app.version,
    });
    url = await host.start();
    // yard finds the app where its configuration says it listens (a second data folder: yard never opens it).
    env = {
      PATH: process.env.PATH,
      SWITCHYARD_HTTP__PORT: new URL(url).port,
      SWITCHYARD_DATABASE__DATA_DIR: join(dataDir, 'unused'),
    };
  });

  after(async () => {
    await host?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lists them in its help beside its own', async () => {
    const { code, out } = await yard('--help');
    assert.equal(code, exitCodes.ok);
    assert.match(out, /refunds\s+Refunds: refunds/);
    assert.match(out, /errors\s+inspect, retry and purge error queues/);
    const group = await yard('refunds', '--help');
    assert.match(group.out, /request \[options\] <refundId>\s+request a refund/);
  });

  it('runs one through the API at the configured address, and shows its notes and tables', async () => {
    const requested = await yard('refunds', 'request', 'r-1', '--amount', '150');
    assert.equal(requested.code, exitCodes.ok, requested.err);
    assert.equal(requested.out, 'Refund r-1 requested\n');
    // Over 100 fails in the app's consumer: the API, not yard, decides what happens to it.
    let depth = { code: -1, out: '', err: '' };
    for (let tries = 0; tries < 50 && !/│ 1 /.test(depth.out); tries += 1) {
      if (tries > 0) await sleep(100);
      depth = await yard('refunds', 'depth');
    }
    assert.equal(depth.code, exitCodes.ok, depth.err);
    assert.match(depth.out, /failed refunds/);
    assert.match(depth.out, /│ 1 /);
    const json = await yard('--json', 'refunds', 'depth', '--url', url);
    assert.deepEqual(JSON.parse(json.out), { depth: 1 });
    // The app named as --app=<file> brings its commands too.
    const joined = await runYard([`--app=${appFile}`, '--json', 'refunds', 'depth'], { env, cwd: fixtures });
    assert.deepEqual(JSON.parse(joined.out), { depth: 1 });
  });

  it("turns the API's problem answers into one line and yard's exit codes", async () => {
    const refused = await yard('refunds', 'request', 'r-2', '--amount', 'lots');
    assert.equal(refused.code, exitCodes.usage);
    assert.match(refused.err, /POST \/refunds answered 400 .*amount.*\(HTTP_REQUEST_INVALID\)\n$/);
    const missingArgument = await yard('refunds', 'request');
    assert.equal(missingArgument.code, exitCodes.usage);
    assert.match(missingArgument.err, /missing required argument 'refundId'/);
  });

  it('says so when nothing answers at the address', async () => {
    const { code, err } = await yard('refunds', 'depth', '--url', 'http://127.0.0.1:1');
    assert.equal(code, exitCodes.failed);
    assert.match(err, /^No app answers at http:\/\/127\.0\.0\.1:1 .*--url\n$/);
  });

  it("refuses an app whose command would sit in a group of yard's own", async () => {
    const colliding = join(fixtures, 'colliding-app.ts');
    const { code, err } = await runYard(['--app', colliding, 'errors', '--help'], { env, cwd: fixtures });
    assert.equal(code, exitCodes.usage);
    assert.match(
      err,
      /declares the yard command "errors list-all", but "errors" is one of yard's own commands/,
    );
  });
});
