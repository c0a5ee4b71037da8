import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Delivery } from '@switchyard/bus';
import {
  migrate,
  openPglite,
  PostgresTransport,
  type SqlClient,
  switchyardMigrations,
} from '@switchyard/postgres';
import { PostgresTransportCapture } from '../src/capture/postgres-transport-capture.ts';
import { PostgresCaptureStore } from '../src/store/postgres-capture-store.ts';
import { regressionMigrations } from '../src/store/regression-migrations.ts';
import { envelopeMessage, orderPlacedExchange, publishAll, unreadableMessage } from './capture-fixtures.ts';

// The environment runs on the PostgreSQL transport (PGlite here); the tap's queue is one more row.
describe('PostgreSQL transport capture tap', () => {
  let sql: SqlClient;
  before(async () => {
    sql = await openPglite();
    await migrate(sql, await switchyardMigrations());
  });
  after(async () => {
    await sql.close();
  });

  it("holds messages unacknowledged while the store fails, then stores every one once; the environment's consumer is untouched", {
    timeout: 120_000,
  }, async () => {
    const environment = new PostgresTransport(sql, { pollIntervalMs: 100 });
    await environment.start();
    await environment.deploy({
      exchanges: [{ name: orderPlacedExchange, role: 'message-type', durable: true, autoDelete: false }],
      queues: [{ name: 'billing', role: 'endpoint', durable: true, autoDelete: false, queueType: 'classic' }],
      bindings: [{ source: orderPlacedExchange, destination: 'billing', destinationType: 'queue' }],
    });
    const seenByBilling = new Set<string>();
    const billing = await environment.consume('billing', { prefetch: 20 }, (delivery: Delivery) => {
      seenByBilling.add(delivery.message.messageId);
      void delivery.ack();
    });
    // The store's schema is not there yet: every write fails until it is migrated.
    const store = new PostgresCaptureStore(sql, { schema: 'late_store' });
    const tap = new PostgresTransportCapture(sql, store, {
      run: 'pg-run',
      environment: 'candidate',
      exchanges: [orderPlacedExchange],
      prefetch: 20,
      batchSize: 10,
      pollIntervalMs: 100,
      retry: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    try {
      await tap.start();
      const messages = Array.from({ length: 50 }, (_, index) =>
        envelopeMessage(`order-${index % 10}`, index),
      );
      await publishAll(environment, [unreadableMessage(), ...messages]);
      for (let wait = 0; wait < 100 && tap.storeFailures < 3; wait++)
        await new Promise((r) => setTimeout(r, 50));
      assert.ok(tap.storeFailures >= 3, 'the store should be failing');
      assert.equal(tap.captured, 0);
      const { rows } = await sql.query(
        `select count(*)::int as n from switchyard.yard_messages where queue = $1`,
        [tap.queue],
      );
      assert.equal(rows[0]?.n, 51, 'every message waits in the capture queue while the store is down');
      // While the store is down the queue cannot empty: drain says so with its code, and loses nothing.
      await assert.rejects(tap.drain({ timeoutMs: 300 }), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'REGRESSION_CAPTURE_NOT_DRAINED');
        assert.match(error.message, /did not drain within 300 ms/);
        return true;
      });
      await migrate(sql, await regressionMigrations('late_store'));
      await tap.drain({ timeoutMs: 30_000 });
      const summary = await store.summary('pg-run');
      assert.equal(summary.messages.candidate, 50);
      assert.equal(summary.groups, 10);
      assert.equal(summary.malformed, 1);
      assert.equal(tap.storeFailures, 0);
      for (let wait = 0; wait < 50 && seenByBilling.size < 51; wait++)
        await new Promise((r) => setTimeout(r, 100));
      assert.equal(seenByBilling.size, 51);
    } finally {
      await tap.stop();
      await tap.deleteQueue();
      await billing.cancel();
      await environment.close();
    }
    const { rows } = await sql.query(
      `select count(*)::int as n from switchyard.yard_queues where name like 'switchyard.regression.%'`,
    );
    assert.equal(rows[0]?.n, 0, 'deleteQueue removes the capture queue');
  });
});
