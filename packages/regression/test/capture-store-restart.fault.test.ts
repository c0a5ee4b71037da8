import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { column, connectPostgres, migrate } from '@switchyard/postgres';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import { postgresForTests, rabbitmqForTests, restartPostgres } from '@switchyard/testing';
import { RabbitMqCapture } from '../src/capture/rabbitmq-capture.ts';
import { PostgresCaptureStore } from '../src/store/postgres-capture-store.ts';
import { regressionMigrations } from '../src/store/regression-migrations.ts';
import { envelopeMessage, orderPlacedExchange } from './capture-fixtures.ts';

// Restarts the PostgreSQL server everyone shares, so this file runs alone, after the other tests.
const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();
const total = 1_500;

describe('capture store restarted mid-run', { skip: postgres.skip || rabbitmq.skip }, () => {
  it('loses nothing: after PostgreSQL is back every published message is stored exactly once', {
    timeout: 240_000,
  }, async () => {
    const schema = await postgres.createSchema();
    const vhost = await rabbitmq.createVhost();
    const sql = connectPostgres({ url: postgres.url, maxConnections: 4 });
    const environment = new RabbitMqTransport({ url: vhost.url });
    const store = new PostgresCaptureStore(sql, { schema: schema.name });
    const tap = new RabbitMqCapture(store, {
      url: vhost.url,
      run: 'restart-run',
      environment: 'baseline',
      exchanges: [orderPlacedExchange],
      batchSize: 50,
      retry: { initialDelayMs: 100, maxDelayMs: 1_000 },
    });
    try {
      await migrate(sql, await regressionMigrations(schema.name));
      await environment.start();
      await tap.start();
      const published = new Set<string>();
      const publishing = (async () => {
        for (let index = 0; index < total; index++) {
          const message = envelopeMessage(`order-${index % 300}`, index);
          await environment.publish(orderPlacedExchange, message);
          published.add(message.messageId);
          if (index % 50 === 0) await sleep(20);
        }
      })();
      while (tap.captured < total / 4) await sleep(20);
      await restartPostgres();
      await publishing;
      await tap.drain({ timeoutMs: 120_000 });
      const { rows } = await sql.query(
        `select count(*) as stored, count(distinct message_id) as distinct_ids
         from ${schema.name}.captured_messages where run = 'restart-run'`,
      );
      assert.equal(column.integer(rows[0] ?? {}, 'stored'), total);
      assert.equal(column.integer(rows[0] ?? {}, 'distinct_ids'), total);
      const ids = await sql.query(`select message_id from ${schema.name}.captured_messages`);
      assert.deepEqual(new Set(ids.rows.map((row) => String(row.message_id))), published);
      const summary = await store.summary('restart-run');
      assert.equal(summary.messages.baseline, total, 'group counts moved only by messages new to the store');
      assert.equal(summary.groups, 300);
    } finally {
      await tap.stop();
      await tap.deleteQueue().catch(() => {});
      await environment.close();
      await sql.close();
      await schema.drop();
      await vhost.delete();
    }
  });
});
