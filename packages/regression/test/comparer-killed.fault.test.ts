import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createBus } from '@switchyard/bus';
import { connectPostgres, migrate, type SqlClient } from '@switchyard/postgres';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import {
  type CapturedMessage,
  compareRun,
  PostgresCaptureStore,
  regressionMigrations,
} from '@switchyard/regression';
import { postgresForTests, rabbitmqForTests, type TestSchema, type TestVhost } from '@switchyard/testing';

const comparerFile = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'comparer-process.ts');
const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();

/** A comparer process and the lines it printed. */
async function startComparer(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; lines: string[] }> {
  const child = spawn(process.execPath, [comparerFile], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let buffered = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      buffered += String(chunk);
      const complete = buffered.split('\n');
      buffered = complete.pop() ?? '';
      for (const line of complete) {
        lines.push(line);
        if (line === 'ready') resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`the comparer exited (${code}) before it was ready`)));
  });
  return { child, lines };
}

describe('a comparer killed mid-item', { skip: postgres.skip || rabbitmq.skip }, () => {
  let schema: TestSchema;
  let vhost: TestVhost;
  let sql: SqlClient;
  const children: ChildProcess[] = [];
  before(async () => {
    schema = await postgres.createSchema();
    vhost = await rabbitmq.createVhost();
    sql = connectPostgres({ url: schema.url, maxConnections: 4 });
    await migrate(sql, await regressionMigrations(schema.name));
  });
  after(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await sql?.close();
    await vhost?.delete();
    await schema?.drop();
  });

  it('leaves its items to the next comparer: every group compared, each counted once', {
    timeout: 180_000,
  }, async () => {
    const store = new PostgresCaptureStore(sql, { schema: schema.name });
    const groups = 300;
    const captured = (environment: 'baseline' | 'candidate', index: number): CapturedMessage => ({
      run: 'r-kill',
      environment,
      messageId: `${environment}-${index}`,
      correlationId: `g-${index}`,
      conversationId: undefined,
      messageType: 'urn:message:regressiontest:Total',
      sentTime: new Date().toISOString(),
      capturedAt: new Date().toISOString(),
      // Every tenth group differs, so the results are not all alike.
      message: { total: environment === 'candidate' && index % 10 === 0 ? index + 1 : index },
      headers: {},
    });
    for (let index = 0; index < groups; index++)
      await store.append([captured('baseline', index), captured('candidate', index)]);

    const env = {
      PATH: process.env.PATH,
      RABBITMQ_URL: vhost.url,
      DATABASE_URL: schema.url,
      SCHEMA: schema.name,
      COMPARE_MS: '30',
    };
    const first = await startComparer(env);
    children.push(first.child);
    const dispatcher = createBus({ transport: new RabbitMqTransport({ url: vhost.url }) });
    await dispatcher.start();
    const running = compareRun({
      bus: dispatcher,
      store,
      run: 'r-kill',
      rule: { quietMs: 0, maxWaitMs: 60_000, limit: 100 },
    });
    // Killed once it has compared some, with more in hand (8 at a time, each taking 30 ms).
    while (first.lines.filter((line) => line.startsWith('compared')).length < 40)
      await new Promise((resolve) => setTimeout(resolve, 20));
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    const second = await startComparer(env);
    children.push(second.child);
    const summary = await running;
    await dispatcher.stop();

    assert.equal(summary.groups, groups);
    assert.equal(summary.compared, groups, 'nothing lost: every group compared');
    assert.deepEqual(summary.byOutcome, { match: 270, mismatch: 30 }, 'each group counted once');
    const byFirst = new Set(
      first.lines.filter((line) => line.startsWith('compared')).map((line) => line.split(' ')[1]),
    );
    const bySecond = second.lines
      .filter((line) => line.startsWith('compared'))
      .map((line) => line.split(' ')[1]);
    assert.ok(
      bySecond.length > 0 && byFirst.size + new Set(bySecond).size >= groups,
      `${byFirst.size} + ${bySecond.length}`,
    );
    second.child.kill('SIGTERM');
    await once(second.child, 'exit');
  });
});
