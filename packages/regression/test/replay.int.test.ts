import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Bus, consumer, createBus, defineMessage, receiveEndpoint } from '@switchyard/bus';
import { connectPostgres, migrate, type SqlClient } from '@switchyard/postgres';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import {
  PostgresCaptureStore,
  RabbitMqCapture,
  regressionMigrations,
  replayCaptured,
} from '@switchyard/regression';
import { postgresForTests, rabbitmqForTests, type TestSchema, type TestVhost } from '@switchyard/testing';
import { z } from 'zod';

const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();
const OrderPlaced = defineMessage(
  'regressiontest.OrderPlaced',
  z.object({ orderId: z.string(), quantity: z.number() }),
);

describe('replaying a captured input stream', { skip: postgres.skip || rabbitmq.skip }, () => {
  let schema: TestSchema;
  let sql: SqlClient;
  const vhosts: TestVhost[] = [];
  const buses: Bus[] = [];
  before(async () => {
    schema = await postgres.createSchema();
    sql = connectPostgres({ url: schema.url, maxConnections: 4 });
    await migrate(sql, await regressionMigrations(schema.name));
  });
  after(async () => {
    for (const bus of buses) await bus.stop().catch(() => {});
    await sql?.close();
    for (const vhost of vhosts) await vhost.delete();
    await schema?.drop();
  });

  it('publishes it into another environment in capture order, with new message ids and the original correlation ids', {
    timeout: 120_000,
  }, async () => {
    const store = new PostgresCaptureStore(sql, { schema: schema.name });
    const [production, candidate] = [await rabbitmq.createVhost(), await rabbitmq.createVhost()];
    vhosts.push(production, candidate);
    const tap = new RabbitMqCapture(store, {
      url: production.url,
      run: 'inputs',
      environment: 'baseline',
      exchanges: [OrderPlaced.entityName],
    });
    await tap.start();
    const shop = createBus({ transport: new RabbitMqTransport({ url: production.url }) });
    buses.push(shop);
    await shop.start();
    const sent: string[] = [];
    for (let index = 0; index < 25; index++) {
      const messageId = `input-${index}`;
      sent.push(messageId);
      await shop.publish(
        OrderPlaced,
        { orderId: `o-${index}`, quantity: index },
        { correlationId: `o-${index}`, messageId },
      );
    }
    await tap.drain({ timeoutMs: 30_000 });
    await tap.stop();

    const received: {
      messageId: string;
      correlationId: string | undefined;
      orderId: string;
      from: unknown;
    }[] = [];
    const target = createBus({
      transport: new RabbitMqTransport({ url: candidate.url }),
      endpoints: [
        receiveEndpoint('orders', {
          concurrency: 1,
          consumers: [
            consumer(OrderPlaced, (order, context) => {
              received.push({
                messageId: context.envelope.messageId,
                correlationId: context.envelope.correlationId,
                orderId: order.orderId,
                from: context.envelope.headers['Switchyard-Replayed-From'],
              });
            }),
          ],
        }),
      ],
    });
    buses.push(target);
    await target.start();
    const into = new RabbitMqTransport({ url: candidate.url });
    await into.start();
    try {
      assert.equal(await replayCaptured({ store, run: 'inputs', environment: 'baseline', into }), 25);
    } finally {
      await into.close();
    }
    while (received.length < 25) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(
      received.map((each) => each.orderId),
      sent.map((_, index) => `o-${index}`),
      'in capture order',
    );
    assert.deepEqual(
      received.map((each) => each.correlationId),
      received.map((each) => each.orderId),
    );
    assert.deepEqual(
      received.map((each) => each.from),
      sent,
      'each says which captured message it replays',
    );
    assert.ok(
      received.every((each) => !sent.includes(each.messageId)),
      'new message ids',
    );
  });
});
