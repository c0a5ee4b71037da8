import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type Bus,
  consumer,
  createBus,
  defineMessage,
  type Envelope,
  massTransitJsonCodec,
  type OutboundMiddleware,
  OutboxDispatcher,
  receiveEndpoint,
  transactional,
} from '@switchyard/bus';
import { PostgresOutbox, PostgresTransport } from '@switchyard/postgres';
import { z } from 'zod';
import { waitUntil } from '../../bus/test/contract/transport-contract.ts';
import { databasesUnderTest, type FreshStore } from './support/databases.ts';

const PlaceOrder = defineMessage('Milkround.Orders.PlaceOrder', z.object({ orderId: z.string() }));
const OrderPlaced = defineMessage('Milkround.Orders.OrderPlaced', z.object({ orderId: z.string() }));

/** Stamps the tenant on every message; the slots package will stamp the slot the same way. */
const stampTenant: OutboundMiddleware = (input, next) => {
  input.headers['X-Tenant'] = 'dairy-north';
  return next();
};

for (const database of await databasesUnderTest()) {
  describe(`outbound middleware and the PostgreSQL outbox (${database.name})`, {
    skip: database.skip,
  }, () => {
    let store: FreshStore;
    let bus: Bus;
    const billed: Envelope[] = [];

    before(async () => {
      store = await database.fresh();
      const transport = new PostgresTransport(store.client, { schema: store.schema, pollIntervalMs: 100 });
      const outbox = new PostgresOutbox(store.client, { schema: store.schema });
      const dispatcher = new OutboxDispatcher({ outbox, transport, sweepIntervalMs: 100 });
      bus = createBus({
        transport,
        services: [dispatcher],
        outbound: [stampTenant],
        endpoints: [
          receiveEndpoint('orders', {
            middleware: [transactional({ transactions: store.client, outbox, dispatcher })],
            consumers: [
              consumer(PlaceOrder, (order, context) =>
                context.publish(OrderPlaced, { orderId: order.orderId }),
              ),
            ],
          }),
          receiveEndpoint('billing', {
            consumers: [consumer(OrderPlaced, (_event, context) => void billed.push(context.envelope))],
          }),
        ],
      });
      await bus.start();
    });

    after(async () => {
      await bus?.stop();
      await store?.dispose();
    });

    it('stores the stamped message in the outbox row, and that is what the consumer receives', async () => {
      await bus.send('queue:orders', PlaceOrder, { orderId: 'o-1' });
      await waitUntil(() => billed.length > 0);
      const received = billed[0] as Envelope;
      assert.equal(received.headers['X-Tenant'], 'dairy-north');
      const { rows } = await store.client.query(
        `select body from ${store.schema}.yard_outbox where message_id = $1`,
        [received.messageId],
      );
      assert.equal(rows.length, 1, 'the event went through the outbox');
      const stored = massTransitJsonCodec.decode(rows[0]?.body as Uint8Array);
      assert.equal(stored.headers['X-Tenant'], 'dairy-north');
    });
  });
}
