import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Delivery } from '@switchyard/bus';
import { migrate, openPglite, type SqlClient } from '@switchyard/postgres';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import { RabbitMqCapture } from '../src/capture/rabbitmq-capture.ts';
import { PostgresCaptureStore } from '../src/store/postgres-capture-store.ts';
import { regressionMigrations } from '../src/store/regression-migrations.ts';
import { envelopeMessage, orderPlacedExchange, publishAll, unreadableMessage } from './capture-fixtures.ts';

const rabbitmq = await rabbitmqForTests();

describe('RabbitMQ capture tap', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;
  let sql: SqlClient;
  before(async () => {
    vhost = await rabbitmq.createVhost();
    sql = await openPglite();
    await migrate(sql, await regressionMigrations());
  });
  after(async () => {
    await sql.close();
    await vhost.delete();
  });

  it("captures every message, once each, while the environment's own consumer still gets every one", {
    timeout: 120_000,
  }, async () => {
    const environment = new RabbitMqTransport({ url: vhost.url });
    await environment.start();
    await environment.deploy({
      exchanges: [{ name: orderPlacedExchange, role: 'message-type', durable: true, autoDelete: false }],
      queues: [{ name: 'billing', role: 'endpoint', durable: true, autoDelete: false, queueType: 'classic' }],
      bindings: [{ source: orderPlacedExchange, destination: 'billing', destinationType: 'queue' }],
    });
    const seenByBilling = new Set<string>();
    const billing = await environment.consume('billing', { prefetch: 50 }, (delivery: Delivery) => {
      seenByBilling.add(delivery.message.messageId);
      void delivery.ack();
    });
    const store = new PostgresCaptureStore(sql);
    const tap = new RabbitMqCapture(store, {
      url: vhost.url,
      run: 'rabbit-run',
      environment: 'baseline',
      exchanges: [orderPlacedExchange],
      batchSize: 25,
    });
    try {
      await tap.start();
      const messages = Array.from({ length: 120 }, (_, index) =>
        envelopeMessage(`order-${index % 30}`, index),
      );
      await publishAll(environment, [...messages.slice(0, 60), unreadableMessage(), ...messages.slice(60)]);
      // The same message published twice (an outbox retry) is stored once.
      await publishAll(environment, messages.slice(0, 5));
      await tap.drain();
      const summary = await store.summary('rabbit-run');
      assert.equal(summary.messages.baseline, 120);
      assert.equal(summary.groups, 30);
      assert.equal(summary.malformed, 1);
      assert.equal(tap.captured, 125);
      assert.equal(tap.malformedCount, 1);
      const [malformed] = await store.malformed('rabbit-run');
      assert.match(malformed?.reason ?? '', /not a readable envelope/);
      const group = await store.messagesOf('rabbit-run', 'order-7');
      assert.deepEqual(
        group.baseline.map((each) => (each.message as { index: number }).index).sort((a, b) => a - b),
        [7, 37, 67, 97],
      );
      for (let wait = 0; wait < 50 && seenByBilling.size < 121; wait++)
        await new Promise((r) => setTimeout(r, 100));
      for (const each of messages)
        assert.ok(seenByBilling.has(each.messageId), 'billing lost a message to the tap');
      assert.equal(seenByBilling.size, 121);
    } finally {
      await tap.stop();
      await tap.deleteQueue();
      await billing.cancel();
      await environment.close();
    }
  });
});
