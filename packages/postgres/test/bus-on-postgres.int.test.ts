import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type Bus,
  consumer,
  createBus,
  defineMessage,
  faultOf,
  OutboxDispatcher,
  receiveEndpoint,
  transactional,
  transactionOf,
  transportHeaders,
} from '@switchyard/bus';
import {
  column,
  PostgresInbox,
  PostgresOutbox,
  PostgresTransport,
  type SqlTransaction,
} from '@switchyard/postgres';
import { z } from 'zod';
import { waitUntil } from '../../bus/test/contract/transport-contract.ts';
import { databasesUnderTest, type FreshStore } from './support/databases.ts';
import { queuedRows, queuedRowsOnceAny } from './support/queue-rows.ts';

const PlaceOrder = defineMessage(
  'Milkround.Orders.PlaceOrder',
  z.object({ orderId: z.string(), pints: z.number() }),
);
const OrderPlaced = defineMessage('Milkround.Orders.OrderPlaced', z.object({ orderId: z.string() }));
const CheckStock = defineMessage('Milkround.Stock.CheckStock', z.object({ sku: z.string() }));
const StockLevel = defineMessage(
  'Milkround.Stock.StockLevel',
  z.object({ sku: z.string(), available: z.number() }),
);
const Unwanted = defineMessage('Milkround.Orders.Unwanted', z.object({ note: z.string() }));

for (const database of await databasesUnderTest()) {
  describe(`the bus on the PostgreSQL transport (${database.name})`, { skip: database.skip }, () => {
    let store: FreshStore;
    let bus: Bus;
    const placed: string[] = [];
    const faults: string[] = [];
    let failuresLeft = new Map<string, number>();

    before(async () => {
      store = await database.fresh();
      await store.client.exec(
        `create table ${store.schema}.orders (order_id text primary key, pints integer not null)`,
      );
      const transport = new PostgresTransport(store.client, { schema: store.schema, pollIntervalMs: 100 });
      const outbox = new PostgresOutbox(store.client, { schema: store.schema });
      const dispatcher = new OutboxDispatcher({ outbox, transport, sweepIntervalMs: 100 });
      bus = createBus({
        transport,
        services: [dispatcher],
        endpoints: [
          receiveEndpoint('orders', {
            retry: { immediate: { limit: 1, intervalsMs: [10] }, redelivery: { intervalsMs: [100, 200] } },
            middleware: [
              transactional({
                transactions: store.client,
                outbox,
                dispatcher,
                inbox: new PostgresInbox(store.client, { schema: store.schema }),
              }),
            ],
            consumers: [
              consumer(PlaceOrder, async (order, context) => {
                const left = failuresLeft.get(order.orderId) ?? 0;
                if (left > 0) {
                  failuresLeft.set(order.orderId, left - 1);
                  throw new Error(`order ${order.orderId} not ready`);
                }
                const tx = transactionOf<SqlTransaction>(context);
                await tx.query(`insert into ${store.schema}.orders values ($1, $2)`, [
                  order.orderId,
                  order.pints,
                ]);
                await context.publish(OrderPlaced, { orderId: order.orderId });
              }),
            ],
          }),
          receiveEndpoint('billing', {
            consumers: [consumer(OrderPlaced, (event) => void placed.push(event.orderId))],
          }),
          receiveEndpoint('stock', {
            consumers: [
              consumer(CheckStock, (request, context) =>
                context.respond(StockLevel, { sku: request.sku, available: 12 }),
              ),
            ],
          }),
          receiveEndpoint('fault-watch', {
            consumers: [consumer(faultOf(PlaceOrder), (fault) => void faults.push(fault.message.orderId))],
          }),
        ],
      });
      await bus.start();
    });

    after(async () => {
      await bus?.stop();
      await store?.dispose();
    });

    const ordersInTable = () => orderIdsIn(store);

    it('commits the handler’s state and its published event together, and delivers the event', async () => {
      await bus.send('queue:orders', PlaceOrder, { orderId: 'o-1', pints: 2 });
      await waitUntil(() => placed.includes('o-1'));
      assert.deepEqual(await ordersInTable(), ['o-1']);
    });

    it('handles a message sent twice with the same id once (inbox)', async () => {
      const messageId = '01930000-0000-7000-8000-000000000042';
      await bus.send('queue:orders', PlaceOrder, { orderId: 'o-twice', pints: 1 }, { messageId });
      await bus.send('queue:orders', PlaceOrder, { orderId: 'o-twice', pints: 1 }, { messageId });
      await bus.send('queue:orders', PlaceOrder, { orderId: 'o-after', pints: 1 });
      await waitUntil(() => placed.includes('o-after'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(placed.filter((id) => id === 'o-twice').length, 1);
      assert.deepEqual(await ordersInTable(), ['o-1', 'o-after', 'o-twice']);
    });

    it('answers a request through a temporary response queue', async () => {
      const response = await bus.request(
        CheckStock,
        { sku: 'milk-1l' },
        { responseType: StockLevel, destination: 'queue:stock', timeoutMs: 10_000 },
      );
      assert.deepEqual(response.message, { sku: 'milk-1l', available: 12 });
    });

    it('retries, redelivers after delays, then moves the message to the error queue and publishes its fault', async () => {
      failuresLeft = new Map([['never', 99]]);
      const startedAt = Date.now();
      await bus.send('queue:orders', PlaceOrder, { orderId: 'never', pints: 1 });
      await waitUntil(() => faults.includes('never'), 15_000);
      assert.ok(Date.now() - startedAt >= 300, 'waited out both redelivery delays');
      const [errored] = await queuedRows(store.client, store.schema, 'orders_error');
      assert.ok(errored);
      assert.equal(errored.headers[transportHeaders.reason], 'fault');
      assert.equal(errored.headers[transportHeaders.redeliveryCount], 2);
      assert.equal(errored.headers[transportHeaders.faultMessage], 'order never not ready');
      assert.deepEqual(JSON.parse(errored.body).message, { orderId: 'never', pints: 1 });
      assert.equal((await ordersInTable()).includes('never'), false, 'no state from failed attempts');
    });

    it('moves a message no consumer understands to the skipped queue', async () => {
      await bus.send('queue:orders', Unwanted, { note: 'nobody reads this' });
      const skipped = await queuedRowsOnceAny(store.client, store.schema, 'orders_skipped');
      assert.equal(skipped.length, 1);
      assert.equal(skipped[0]?.headers[transportHeaders.reason], 'dead-letter');
    });
  });

  describe(`a poison message in the middle of a stream (${database.name})`, { skip: database.skip }, () => {
    it('goes to the error queue with its reason while the rest are handled in order', async () => {
      const store = await database.fresh();
      const seen: string[] = [];
      const transport = new PostgresTransport(store.client, { schema: store.schema, pollIntervalMs: 100 });
      const bus = createBus({
        transport,
        endpoints: [
          receiveEndpoint('orders-stream', {
            concurrency: 1,
            prefetch: 1,
            consumers: [consumer(OrderPlaced, (event) => void seen.push(event.orderId))],
          }),
        ],
      });
      await bus.start();
      try {
        for (let index = 0; index < 20; index++) {
          if (index === 10) {
            await transport.send('orders-stream', {
              messageId: 'poison',
              contentType: 'application/vnd.masstransit+json',
              body: Buffer.from('{"messageId": "poison", "message": {'),
              headers: {},
            });
          }
          await bus.send('orders-stream', OrderPlaced, { orderId: `o-${index}` });
        }
        await waitUntil(() => seen.length === 20, 10_000);
        assert.deepEqual(
          seen,
          Array.from({ length: 20 }, (_, index) => `o-${index}`),
        );
        const [errored] = await queuedRows(store.client, store.schema, 'orders-stream_error');
        assert.equal(errored?.messageId, 'poison');
        assert.equal(errored?.headers[transportHeaders.faultExceptionType], 'EnvelopeDecodeError');
        assert.match(String(errored?.headers[transportHeaders.faultMessage]), /not valid JSON/);
      } finally {
        await bus.stop();
        await store.dispose();
      }
    });
  });
}

for (const database of await databasesUnderTest()) {
  describe(`messages sent in the handler's transaction, without an outbox (${database.name})`, {
    skip: database.skip,
  }, () => {
    let store: FreshStore;
    let bus: Bus;
    const placed: string[] = [];
    let failAfterPublishing = new Set<string>();

    before(async () => {
      store = await database.fresh();
      await store.client.exec(
        `create table ${store.schema}.orders (order_id text primary key, pints integer not null)`,
      );
      const transport = new PostgresTransport(store.client, { schema: store.schema, pollIntervalMs: 100 });
      bus = createBus({
        transport,
        endpoints: [
          receiveEndpoint('orders', {
            retry: { immediate: { limit: 0 } },
            middleware: [
              transactional({
                transactions: store.client,
                sends: transport,
                inbox: new PostgresInbox(store.client, { schema: store.schema }),
              }),
            ],
            consumers: [
              consumer(PlaceOrder, async (order, context) => {
                const tx = transactionOf<SqlTransaction>(context);
                await tx.query(`insert into ${store.schema}.orders values ($1, $2)`, [
                  order.orderId,
                  order.pints,
                ]);
                await context.publish(OrderPlaced, { orderId: order.orderId });
                if (failAfterPublishing.has(order.orderId)) throw new Error(`order ${order.orderId} refused`);
              }),
            ],
          }),
          receiveEndpoint('billing', {
            consumers: [consumer(OrderPlaced, (event) => void placed.push(event.orderId))],
          }),
        ],
      });
      await bus.start();
    });

    after(async () => {
      await bus?.stop();
      await store?.dispose();
    });

    const ordersInTable = () => orderIdsIn(store);

    it('delivers what the handler published when its transaction commits, with its state', async () => {
      await bus.send('queue:orders', PlaceOrder, { orderId: 'd-1', pints: 1 });
      await waitUntil(() => placed.includes('d-1'));
      assert.deepEqual(await ordersInTable(), ['d-1']);
      assert.equal((await store.client.query(`select 1 from ${store.schema}.yard_outbox`)).rows.length, 0);
    });

    it('delivers nothing a failed handler published, and keeps none of its state', async () => {
      failAfterPublishing = new Set(['d-refused']);
      await bus.send('queue:orders', PlaceOrder, { orderId: 'd-refused', pints: 1 });
      await bus.send('queue:orders', PlaceOrder, { orderId: 'd-2', pints: 1 });
      await waitUntil(() => placed.includes('d-2'));
      const errored = await queuedRowsOnceAny(store.client, store.schema, 'orders_error', 10_000);
      assert.equal(errored.length, 1, 'the refused order went to the error queue');
      assert.equal(placed.includes('d-refused'), false);
      assert.deepEqual(await ordersInTable(), ['d-1', 'd-2']);
    });
  });
}

/** The order ids the handlers wrote, sorted. */
async function orderIdsIn(store: FreshStore): Promise<string[]> {
  const { rows } = await store.client.query(`select order_id from ${store.schema}.orders order by order_id`);
  return rows.map((row) => column.text(row, 'order_id'));
}
