import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  consumer,
  createBus,
  defineMessage,
  OutboxDispatcher,
  receiveEndpoint,
  transactional,
  transactionOf,
  uuidv7,
} from '@switchyard/bus';
import {
  column,
  connectPostgres,
  migrate,
  PostgresInbox,
  PostgresOutbox,
  PostgresTransport,
  type SqlClient,
  type SqlTransaction,
  switchyardMigrations,
} from '@switchyard/postgres';
import { postgresForTests, restartPostgres } from '@switchyard/testing';
import { z } from 'zod';

// Restarts the PostgreSQL server everyone shares, so this file runs alone, after the other tests.
const postgres = await postgresForTests();
const PlaceOrder = defineMessage('Milkround.Orders.PlaceOrder', z.object({ orderId: z.string() }));
const OrderPlaced = defineMessage('Milkround.Orders.OrderPlaced', z.object({ orderId: z.string() }));
const total = 2_000;

async function countsOf(client: SqlClient, table: string): Promise<{ rows: number; orders: number }> {
  const { rows } = await client.query(
    `select count(*) as rows, count(distinct order_id) as orders from ${table}`,
  );
  const row = rows[0] ?? {};
  return { rows: column.integer(row, 'rows'), orders: column.integer(row, 'orders') };
}

describe('PostgreSQL restarted while orders flow', { skip: postgres.skip }, () => {
  it('recovers by itself: every order has exactly one effect in each service', {
    timeout: 240_000,
  }, async () => {
    const schema = await postgres.createSchema();
    const client = connectPostgres({ url: schema.url, maxConnections: 8 });
    const tables = { orders: `${schema.name}.order_effects`, billing: `${schema.name}.billing_effects` };
    try {
      await migrate(client, await switchyardMigrations(schema.name));
      // No unique keys: a duplicate effect would show up as an extra row.
      await client.exec(
        `create table ${tables.orders} (order_id text not null); create table ${tables.billing} (order_id text not null)`,
      );
      const transport = new PostgresTransport(client, {
        schema: schema.name,
        leaseMs: 2_000,
        pollIntervalMs: 200,
      });
      const outbox = new PostgresOutbox(client, { schema: schema.name });
      const inbox = new PostgresInbox(client, { schema: schema.name });
      const dispatcher = new OutboxDispatcher({ outbox, transport, leaseMs: 2_000, sweepIntervalMs: 200 });
      const inTransaction = transactional({ transactions: client, outbox, inbox, dispatcher });
      const bus = createBus({
        transport,
        services: [dispatcher],
        endpoints: [
          receiveEndpoint('orders', {
            middleware: [inTransaction],
            retry: {
              immediate: { limit: 2, intervalsMs: [100, 500] },
              redelivery: { intervalsMs: [1_000, 2_000, 4_000] },
            },
            consumers: [
              consumer(PlaceOrder, async (order, context) => {
                const tx = transactionOf<SqlTransaction>(context);
                await tx.query(`insert into ${tables.orders} values ($1)`, [order.orderId]);
                await context.publish(OrderPlaced, { orderId: order.orderId });
              }),
            ],
          }),
          receiveEndpoint('billing', {
            middleware: [inTransaction],
            retry: {
              immediate: { limit: 2, intervalsMs: [100, 500] },
              redelivery: { intervalsMs: [1_000, 2_000, 4_000] },
            },
            consumers: [
              consumer(OrderPlaced, async (event, context) => {
                const tx = transactionOf<SqlTransaction>(context);
                await tx.query(`insert into ${tables.billing} values ($1)`, [event.orderId]);
              }),
            ],
          }),
        ],
      });
      await bus.start();

      // A caller that retries a failed send with the same message id, as an HTTP client retries a request.
      let failedSends = 0;
      let restartedAt = 0;
      let firstSendAfterRestart = 0;
      const send = async (orderId: string) => {
        const messageId = uuidv7();
        for (;;) {
          try {
            await bus.send('queue:orders', PlaceOrder, { orderId }, { messageId });
            if (restartedAt && !firstSendAfterRestart) firstSendAfterRestart = Date.now();
            return;
          } catch {
            failedSends += 1;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      };
      let restart: Promise<void> | undefined;
      for (let index = 0; index < total; index++) {
        if (index === total / 4) {
          restart = restartPostgres().then(() => {
            restartedAt = Date.now();
          });
        }
        await send(`order-${index}`);
      }
      await restart;

      const deadline = Date.now() + 120_000;
      let orders = await countsOf(client, tables.orders);
      let billing = await countsOf(client, tables.billing);
      while ((orders.orders < total || billing.orders < total) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        orders = await countsOf(client, tables.orders);
        billing = await countsOf(client, tables.billing);
      }
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // late duplicates would land by now
      orders = await countsOf(client, tables.orders);
      billing = await countsOf(client, tables.billing);
      await bus.stop();

      process.stdout.write(
        `# ${total} orders, ${failedSends} sends failed during the restart and were retried; ` +
          `sending worked again ${firstSendAfterRestart ? firstSendAfterRestart - restartedAt : 0} ms after the server was back\n`,
      );
      assert.deepEqual(orders, { rows: total, orders: total }, 'orders: none lost, none twice');
      assert.deepEqual(billing, { rows: total, orders: total }, 'billing: none lost, none twice');
      assert.equal(transport.health().state, 'closed');
    } finally {
      await client.close();
      await schema.drop();
    }
  });
});
