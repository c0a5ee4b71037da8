import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createBus } from '@switchyard/bus';
import {
  connectPostgres,
  migrate,
  PostgresTransport,
  type SqlClient,
  switchyardMigrations,
} from '@switchyard/postgres';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import {
  type CapturedMessage,
  compareRun,
  PostgresCaptureStore,
  regressionMigrations,
  startComparisonWorkers,
} from '@switchyard/regression';
import { postgresForTests, rabbitmqForTests, type TestSchema, type TestVhost } from '@switchyard/testing';
import { InvoiceIssued, suite } from './fixtures/suite-module.ts';

const suiteFile = fileURLToPath(new URL('./fixtures/suite-module.ts', import.meta.url));
const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();

describe('comparison worker threads', () => {
  it('refuse an embedded store, which threads cannot share, before starting any', async () => {
    for (const url of ['file:///tmp/regression-store', 'memory://', './captures']) {
      await assert.rejects(
        startComparisonWorkers({
          workers: 2,
          suite: suiteFile,
          store: { url },
          transport: { kind: 'rabbitmq', url: 'amqp://127.0.0.1:1' },
        }),
        (error: Error & { code?: string }) =>
          error.code === 'REGRESSION_WORKERS_INVALID' && /PGlite/.test(error.message),
      );
    }
    await assert.rejects(
      startComparisonWorkers({
        workers: 0,
        suite: suiteFile,
        store: { url: 'postgres://127.0.0.1/none' },
        transport: { kind: 'rabbitmq', url: 'amqp://127.0.0.1:1' },
      }),
      { code: 'REGRESSION_WORKERS_INVALID' },
    );
  });
});

describe('comparison worker threads on RabbitMQ and PostgreSQL', {
  skip: postgres.skip || rabbitmq.skip,
}, () => {
  let schema: TestSchema;
  let vhost: TestVhost;
  let sql: SqlClient;
  before(async () => {
    schema = await postgres.createSchema();
    vhost = await rabbitmq.createVhost();
    sql = connectPostgres({ url: schema.url, maxConnections: 4 });
    await migrate(sql, await regressionMigrations(schema.name));
  });
  after(async () => {
    await sql?.close();
    await vhost?.delete();
    await schema?.drop();
  });

  it('share a run between two threads: every group compared once, correctly', {
    timeout: 120_000,
  }, async () => {
    const store = new PostgresCaptureStore(sql, { schema: schema.name });
    const groups = 400;
    const captured = (environment: 'baseline' | 'candidate', index: number): CapturedMessage => ({
      run: 'r-threads',
      environment,
      messageId: `${environment}-${index}`,
      correlationId: undefined,
      conversationId: undefined,
      messageType: InvoiceIssued.urn,
      sentTime: new Date().toISOString(),
      capturedAt: new Date().toISOString(),
      // Every eighth order is invoiced differently by the candidate.
      message: {
        orderId: `o-${index}`,
        amountMinor: environment === 'candidate' && index % 8 === 0 ? 1 : 100,
      },
      headers: {},
    });
    const messages = Array.from({ length: groups }, (_, index) => [
      captured('baseline', index),
      captured('candidate', index),
    ]).flat();
    // Grouped as the suite says: by order id, which the messages carry in their bodies only.
    await store.append(messages, suite.groupKey);

    const workers = await startComparisonWorkers({
      workers: 2,
      suite: suiteFile,
      store: { url: schema.url, schema: schema.name },
      transport: { kind: 'rabbitmq', url: vhost.url },
      concurrency: 4,
    });
    const dispatcher = createBus({ transport: new RabbitMqTransport({ url: vhost.url }) });
    await dispatcher.start();
    try {
      const summary = await compareRun({
        bus: dispatcher,
        store,
        run: 'r-threads',
        rule: { ...suite.settle, limit: 100 },
        timeoutMs: 90_000,
      });
      assert.equal(summary.groups, groups);
      assert.equal(summary.compared, groups);
      assert.deepEqual(summary.byOutcome, { match: groups - groups / 8, mismatch: groups / 8 });
    } finally {
      await dispatcher.stop();
      await workers.stop();
    }
    // Flushed on stop: each result was recorded once, by one thread or the other, and both took a share.
    assert.equal(workers.compared(), groups);
    const [first = 0, second = 0] = workers.comparedByWorker();
    assert.ok(first > 0 && second > 0, `shares ${first} and ${second}`);
    assert.equal(first + second, groups);

    const { rows } = await sql.query(
      `select count(*)::int as results, count(distinct group_key)::int as groups
       from ${schema.name}.comparison_results where run = 'r-threads'`,
    );
    assert.deepEqual(rows[0], { results: groups, groups });
  });

  it('work the same with the PostgreSQL transport carrying the work items', {
    timeout: 120_000,
  }, async () => {
    const transportSchema = await postgres.createSchema();
    const transportSql = connectPostgres({ url: transportSchema.url, maxConnections: 4 });
    try {
      await migrate(transportSql, await switchyardMigrations(transportSchema.name));
      const store = new PostgresCaptureStore(sql, { schema: schema.name });
      const groups = 120;
      const at = new Date().toISOString();
      const messages = Array.from({ length: groups }, (_, index) =>
        (['baseline', 'candidate'] as const).map(
          (environment): CapturedMessage => ({
            run: 'r-postgres',
            environment,
            messageId: `${environment}-${index}`,
            correlationId: undefined,
            conversationId: undefined,
            messageType: InvoiceIssued.urn,
            sentTime: at,
            capturedAt: at,
            message: {
              orderId: `p-${index}`,
              amountMinor: environment === 'candidate' && index % 10 === 0 ? 2 : 200,
            },
            headers: {},
          }),
        ),
      ).flat();
      await store.append(messages, suite.groupKey);
      const transport = { kind: 'postgres', url: transportSchema.url, schema: transportSchema.name } as const;
      const workers = await startComparisonWorkers({
        workers: 2,
        suite: suiteFile,
        store: { url: schema.url, schema: schema.name },
        transport,
      });
      const dispatcher = createBus({
        transport: new PostgresTransport(transportSql, { schema: transportSchema.name }),
      });
      await dispatcher.start();
      try {
        const summary = await compareRun({
          bus: dispatcher,
          store,
          run: 'r-postgres',
          rule: { ...suite.settle, limit: 50 },
          timeoutMs: 90_000,
        });
        assert.equal(summary.compared, groups);
        assert.deepEqual(summary.byOutcome, { match: groups - groups / 10, mismatch: groups / 10 });
      } finally {
        await dispatcher.stop();
        await workers.stop();
      }
      assert.equal(workers.compared(), groups);
    } finally {
      await transportSql.close();
      await transportSchema.drop();
    }
  });

  it('reject the start with the error of a thread that cannot start', {
    timeout: 60_000,
  }, async () => {
    await assert.rejects(
      startComparisonWorkers({
        workers: 2,
        suite: fileURLToPath(new URL('./fixtures/no-such-suite.ts', import.meta.url)),
        store: { url: schema.url, schema: schema.name },
        transport: { kind: 'rabbitmq', url: vhost.url },
      }),
      (error: Error & { code?: string }) =>
        error.code === 'REGRESSION_SUITE_INVALID' && /does not exist/.test(error.message),
    );
  });
});
