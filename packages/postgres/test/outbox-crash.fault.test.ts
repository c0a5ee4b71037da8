import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Bus, buildTopology, createBus } from '@switchyard/bus';
import {
  column,
  connectPostgres,
  migrate,
  PostgresOutbox,
  PostgresTransport,
  switchyardMigrations,
} from '@switchyard/postgres';
import { postgresForTests } from '@switchyard/testing';
import { createOrdersTable, OrderPlaced, orderService, PlaceOrder } from './fixtures/order-service.ts';
import { queuedRows } from './support/queue-rows.ts';

const postgres = await postgresForTests();
const committingChild = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'commit-then-hang.ts');
const orders = Array.from({ length: 10 }, (_, index) => `order-${index}`);

describe('a process killed with SIGKILL between commit and dispatch', { skip: postgres.skip }, () => {
  it('has its committed messages delivered by the sweeper, exactly once each', {
    timeout: 60_000,
  }, async () => {
    const schema = await postgres.createSchema();
    const client = connectPostgres({ url: schema.url, maxConnections: 6 });
    const children: ChildProcess[] = [];
    let sender: Bus | undefined;
    try {
      await migrate(client, await switchyardMigrations(schema.name));
      await createOrdersTable(client, schema.name);
      sender = createBus({ transport: new PostgresTransport(client, { schema: schema.name }) });
      await sender.start();
      // Where the events land, so they can be counted: an endpoint subscribed to OrderPlaced.
      const transport = new PostgresTransport(client, { schema: schema.name });
      await transport.deploy(buildTopology([{ name: 'billing', subscribes: [OrderPlaced.entityName] }]));
      for (const orderId of orders) await sender.send('queue:orders', PlaceOrder, { orderId });

      const child = spawn(process.execPath, [committingChild, schema.url, schema.name], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      children.push(child);
      // Orders are committed once their rows exist; their OrderPlaced events are then stuck in the outbox.
      let committed = 0;
      while (committed < orders.length) {
        const { rows } = await client.query(`select count(*) as count from ${schema.name}.orders`);
        committed = column.integer(rows[0] ?? {}, 'count');
        if (child.exitCode !== null) throw new Error(`The child exited early with ${child.exitCode}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await killed(child);

      const outbox = new PostgresOutbox(client, { schema: schema.name });
      assert.equal(await outbox.pendingCount(), orders.length, 'the events are only in the outbox');
      assert.equal((await queuedRows(client, schema.name, 'billing')).length, 0);

      const survivor = orderService(client, schema.name, { leaseMs: 1_000 });
      await survivor.start();
      try {
        let events: Awaited<ReturnType<typeof queuedRows>> = [];
        const deadline = Date.now() + 20_000;
        while (Date.now() < deadline) {
          events = await queuedRows(client, schema.name, 'billing');
          const ordersLeft = (await queuedRows(client, schema.name, 'orders')).length;
          if (events.length >= orders.length && ordersLeft === 0 && (await outbox.pendingCount()) === 0)
            break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await new Promise((resolve) => setTimeout(resolve, 500)); // a late duplicate would show up here
        events = await queuedRows(client, schema.name, 'billing');
        const placed = events.map((event) => JSON.parse(event.body).message.orderId as string).sort();
        assert.deepEqual(placed, [...orders].sort(), 'one OrderPlaced per order: none lost, none twice');
        const { rows } = await client.query(`select count(*) as count from ${schema.name}.orders`);
        assert.equal(column.integer(rows[0] ?? {}, 'count'), orders.length, 'each order written once');
        assert.equal(
          (await queuedRows(client, schema.name, 'orders')).length,
          0,
          'redeliveries acknowledged',
        );
      } finally {
        await survivor.stop();
      }
    } finally {
      await sender?.stop();
      for (const child of children) await killed(child);
      await client.close();
      await schema.drop();
    }
  });
});

/** Kills the process with SIGKILL (no chance to clean up) and waits until it is gone. */
async function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
