import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import { exitCodes } from '../src/index.ts';
import { runYard } from './support/run-yard.ts';

const here = dirname(fileURLToPath(import.meta.url));
const appFile = join(here, 'fixtures', 'refunds-app.ts');
const rabbitmq = await rabbitmqForTests();

describe('yard topology on RabbitMQ', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;
  let dataDir: string;

  before(async () => {
    vhost = await rabbitmq.createVhost();
    dataDir = await mkdtemp(join(tmpdir(), 'yard-topology-'));
  });

  after(async () => {
    await vhost?.delete();
    await rm(dataDir, { recursive: true, force: true });
  });

  const yard = async (...args: string[]) => {
    const env = { PATH: process.env.PATH, RABBITMQ_URL: vhost.url, SWITCHYARD_DATABASE__DATA_DIR: dataDir };
    return runYard(['--app', appFile, ...args], { env, cwd: here });
  };

  it('draws the plan in the table style of every command, then has nothing to change once applied', async () => {
    const plan = await yard('topology', 'plan');
    assert.equal(plan.code, exitCodes.ok, plan.err);
    assert.match(plan.out, /^Plan\n┌─/m);
    assert.match(plan.out, /│ \+ create │ queue +│ refunds_error +│ classic, durable │/);
    assert.doesNotMatch(plan.out, /_bus_/, 'not the CLI’s own response queue');
    const applied = await yard('topology', 'apply');
    assert.equal(applied.code, exitCodes.ok, applied.err);
    assert.match(applied.out, /Applied\./);
    const settled = await yard('topology', 'plan');
    assert.equal(settled.out, 'No changes: the broker matches the topology.\n');
  });
});
