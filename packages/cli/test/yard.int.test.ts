import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startListeningProcess } from '@switchyard/testing';
import { exitCodes, runCli } from '../src/index.ts';
import { runYard } from './support/run-yard.ts';

const here = dirname(fileURLToPath(import.meta.url));
const appFile = join(here, 'fixtures', 'refunds-app.ts');
const yardBin = join(here, '..', 'src', 'bin', 'yard.ts');

describe('yard on an embedded app', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  /** Runs yard in this process; resolves with the exit code and what it wrote. */
  const yard = async (...args: string[]) => {
    return runYard(['--app', appFile, ...args], { env, cwd: here });
  };

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'yard-cli-'));
    env = { PATH: process.env.PATH, SWITCHYARD_DATABASE__DATA_DIR: dataDir, SWITCHYARD_HTTP__PORT: '0' };
  });

  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('migrates and reports what it applied, as JSON for scripts', async () => {
    const { code, out } = await yard('--json', 'migrate');
    assert.equal(code, exitCodes.ok);
    const reports = JSON.parse(out) as { owner: string; applied: string[] }[];
    assert.deepEqual(reports.find((each) => each.owner === 'refunds')?.applied, ['0001_paid.sql']);
    const again = JSON.parse((await yard('--json', 'migrate')).out) as { owner: string; applied: string[] }[];
    assert.ok(
      again.every((each) => each.applied.length === 0),
      'a second run applies nothing',
    );
  });

  it('starts the app, which answers until SIGTERM and then exits 0', { timeout: 60_000 }, async () => {
    const { child, url } = await startListeningProcess(yardBin, {
      args: ['--app', appFile, 'start'],
      env: { ...env, SWITCHYARD_LOG__LEVEL: 'info' },
    });
    for (const [refundId, amount] of [
      ['r-1', 40],
      ['r-2', 400],
    ] as const) {
      const response = await fetch(`${url}/refunds`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refundId, amount }),
      });
      assert.equal(response.status, 202);
    }
    const deadline = Date.now() + 10_000;
    while (((await (await fetch(`${url}/error-depth`)).json()) as { depth: number }).depth < 1) {
      assert.ok(Date.now() < deadline, 'the large refund reached refunds_error');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  });

  it('lists and shows the failed message with its fault', async () => {
    const listed = await yard('--json', 'errors', 'list', 'refunds_error');
    assert.equal(listed.code, exitCodes.ok, listed.err);
    const [failed] = JSON.parse(listed.out) as { messageId: string; sourceQueue: string; reason: string }[];
    assert.equal(failed?.sourceQueue, 'refunds');
    assert.equal(failed?.reason, 'refund r-2 of 400 needs approval');
    const shown = await yard('--json', 'errors', 'show', 'refunds_error', failed?.messageId ?? '');
    assert.deepEqual((JSON.parse(shown.out) as { body: { message: unknown } }).body.message, {
      refundId: 'r-2',
      amount: 400,
    });
    const table = await yard('errors', 'list', 'refunds_error');
    assert.match(table.out, /needs approval/, 'people get a table');
    assert.equal((await yard('errors', 'show', 'refunds_error', 'no-such-id')).code, exitCodes.notFound);
  });

  it('shows a saga by id, and says when there is none', async () => {
    const shown = await yard('--json', 'saga', 'show', 'clitest.Refund', 'r-1');
    assert.equal(shown.code, exitCodes.ok, shown.err);
    const view = JSON.parse(shown.out) as {
      state: string;
      data: { amount: number };
      timeline: { event: string }[];
    };
    assert.equal(view.state, 'Requested');
    assert.equal(view.data.amount, 40);
    assert.deepEqual(
      view.timeline.map((step) => step.event),
      ['requested'],
    );
    const missing = await yard('saga', 'show', 'clitest.Refund', 'r-404');
    assert.equal(missing.code, exitCodes.notFound);
    assert.match(missing.err, /No clitest.Refund saga with r-404/);
    const unknown = await yard('saga', 'show', 'clitest.Nope', 'r-1');
    assert.equal(unknown.code, exitCodes.usage);
    assert.match(unknown.err, /sagas: clitest.Refund/);
  });

  it('retries a failed message back to its queue, and purges only when confirmed', async () => {
    const [failed] = JSON.parse((await yard('--json', 'errors', 'list', 'refunds_error')).out) as {
      messageId: string;
    }[];
    const retried = await yard('--json', 'errors', 'retry', 'refunds_error', failed?.messageId ?? '');
    assert.deepEqual(JSON.parse(retried.out), { queue: 'refunds_error', moved: 1, notMoved: [] });
    assert.deepEqual(JSON.parse((await yard('--json', 'errors', 'list', 'refunds_error')).out), []);
    const unconfirmed = await yard('errors', 'purge', 'refunds');
    assert.equal(unconfirmed.code, exitCodes.usage);
    assert.match(unconfirmed.err, /pass --yes/);
    const purged = await yard('--json', 'errors', 'purge', 'refunds', '--yes');
    assert.deepEqual(JSON.parse(purged.out), { queue: 'refunds', removed: 1 });
  });

  it('prints the topology the endpoints need', async () => {
    const { code, out } = await yard('topology', 'plan');
    assert.equal(code, exitCodes.ok);
    assert.match(out, /refunds_error/);
    assert.match(out, /refund-saga/);
    // One table style for every command: the topology is drawn as errors list and saga show are.
    assert.match(out, /^Queues\n┌─/m);
    assert.doesNotMatch(out, /^\s*-{3,}/m, 'no dashed tables beside the boxed ones');
    assert.doesNotMatch(out, /_bus_/, 'not the CLI’s own response queue, whose name changes every run');
    assert.equal((await yard('topology', 'plan')).out, out, 'the same plan on every run');
  });

  it('refuses a bad configuration and a bad command line with exit code 2 and the reason', async () => {
    const bad = await runCli(['--app', appFile, 'migrate'], {
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      env: { ...env, SWITCHYARD_HTTP__PORT: 'eighty' },
      cwd: here,
    });
    assert.equal(bad, exitCodes.usage);
    assert.equal(
      (await yard('errors', 'retry', 'refunds_error')).code,
      exitCodes.usage,
      'retry needs ids or --all',
    );
    assert.equal((await yard('no-such-command')).code, exitCodes.usage);
  });
});
