import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type Bus,
  consumer,
  createBus,
  type DeliveryObserver,
  defineMessage,
  envelopeHeaders,
  MessageLog,
  OutboxDispatcher,
  type ProducedRecord,
  receiveEndpoint,
} from '@switchyard/bus';
import {
  connectPostgres,
  migrate,
  PostgresInbox,
  PostgresOutbox,
  PostgresSagaStore,
  type SqlClient,
  switchyardMigrations,
} from '@switchyard/postgres';
import { ManagementClient, RabbitMqTransport } from '@switchyard/rabbitmq';
import { defineSaga, event, sagaEndpoint } from '@switchyard/saga';
import {
  PostgresOpenConversations,
  readSlotStatus,
  type ServiceCatalogue,
  SlotOperations,
} from '@switchyard/slots';
import { postgresForTests, rabbitmqForTests, type TestSchema, type TestVhost } from '@switchyard/testing';
import { z } from 'zod';
import { slottedBroker, waitFor } from './support/slotted-broker.ts';

const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();

const OrderSubmitted = defineMessage('shop.OrderSubmitted', z.object({ orderId: z.string() }));
const CheckCredit = defineMessage('shop.CheckCredit', z.object({ orderId: z.string() }));
const CreditChecked = defineMessage('shop.CreditChecked', z.object({ approved: z.boolean() }));
const OrderAccepted = defineMessage('shop.OrderAccepted', z.object({ orderId: z.string() }));
const OrderShipped = defineMessage('shop.OrderShipped', z.object({ orderId: z.string() }));
const OrderClosed = defineMessage('shop.OrderClosed', z.object({ orderId: z.string() }));

const order = defineSaga({
  name: 'shop.Order',
  states: ['Checking', 'Accepted'],
  initialData: () => ({ orderId: '' }),
  removeWhenFinalized: true,
  events: {
    submitted: event(OrderSubmitted, { byId: (m) => m.orderId }),
    checked: event(CreditChecked, { byCorrelationId: true }),
    shipped: event(OrderShipped, { byId: (m) => m.orderId }),
  },
  behaviour: ({ initially, during, when }) => [
    initially(
      when('submitted', (saga) =>
        saga
          .update(({ data, message }) => {
            data.orderId = message.orderId;
          })
          .request('queue:credit', CheckCredit, ({ message }) => ({ orderId: message.orderId }))
          .transitionTo('Checking'),
      ),
    ),
    during(
      'Checking',
      when('checked', (saga) =>
        saga.publish(OrderAccepted, ({ data }) => ({ orderId: data.orderId })).transitionTo('Accepted'),
      ),
    ),
    during(
      'Accepted',
      when('shipped', (saga) =>
        saga.publish(OrderClosed, ({ data }) => ({ orderId: data.orderId })).finalize(),
      ),
    ),
  ],
});

const catalogue: ServiceCatalogue = { services: { orders: [{ name: 'shop.Order', queueType: 'classic' }] } };

describe('a conversation stays in the slot that began it', { skip: postgres.skip || rabbitmq.skip }, () => {
  let schema: TestSchema;
  let vhost: TestVhost;
  let sql: SqlClient;
  const buses: Bus[] = [];
  before(async () => {
    schema = await postgres.createSchema();
    vhost = await rabbitmq.createVhost();
    sql = connectPostgres({ url: schema.url, maxConnections: 8 });
    await migrate(sql, await switchyardMigrations(schema.name));
  });
  after(async () => {
    for (const bus of buses.reverse()) await bus.stop().catch(() => {});
    await sql?.close();
    await vhost?.delete();
    await schema?.drop();
  });

  it('runs a saga that began in blue to its end in blue across a switch to green, and counts it open there until then', async () => {
    const handled: { endpoint: string; type: string; orderId: string }[] = [];
    const recorder: DeliveryObserver = {
      consumed: (context) =>
        handled.push({
          endpoint: context.endpoint,
          type: context.envelope.messageType[0] ?? '',
          orderId: String(
            (context.message as { orderId?: string }).orderId ?? context.envelope.correlationId,
          ),
        }),
    };
    const slotBus = (slot: string) => {
      const transport = new RabbitMqTransport({ url: vhost.url });
      const outbox = new PostgresOutbox(sql, { schema: schema.name });
      const dispatcher = new OutboxDispatcher({ outbox, transport, sweepIntervalMs: 100 });
      return createBus({
        transport,
        slot,
        observers: [recorder],
        services: [dispatcher],
        endpoints: [
          sagaEndpoint(order, {
            transactions: sql,
            outbox,
            dispatcher,
            store: new PostgresSagaStore(sql, { schema: schema.name }),
            inbox: new PostgresInbox(sql, { schema: schema.name }),
          }),
        ],
      });
    };
    const seen = new MessageLog<ProducedRecord>('seen');
    const shop = createBus({
      transport: new RabbitMqTransport({ url: vhost.url }),
      endpoints: [
        receiveEndpoint('credit', {
          consumers: [
            consumer(CheckCredit, (_, context) => context.respond(CreditChecked, { approved: true })),
          ],
        }),
        receiveEndpoint('shop-audit', {
          consumers: [OrderAccepted, OrderClosed].map((type) =>
            consumer(type, (message, context) =>
              seen.add({ envelope: context.envelope, message, destination: 'audit' }),
            ),
          ),
        }),
      ],
    });
    const [blue, green] = [slotBus('blue'), slotBus('green')];
    buses.push(shop, blue, green);
    await Promise.all([shop.start(), blue.start(), green.start()]);

    const broker = await slottedBroker(vhost, catalogue);
    try {
      await broker.writeDesired('services:\n  orders:\n    live: blue\n');
      const reconciler = broker.reconciler();
      await reconciler.reconcileOnce();
      const conversations = new PostgresOpenConversations(sql, catalogue, { schema: schema.name });
      const operations = new SlotOperations({
        url: vhost.url,
        management: ManagementClient.forAmqpUrl(vhost.url),
        desiredState: broker.desiredState,
        catalogue,
        reconciler,
        conversations,
      });

      await shop.publish(OrderSubmitted, { orderId: 'o-1' });
      await seen.waitFor(OrderAccepted, (record) => record.message.orderId === 'o-1');
      await operations.switchTo('orders', 'green');
      await shop.publish(OrderSubmitted, { orderId: 'o-2' });
      await seen.waitFor(OrderAccepted, (record) => record.message.orderId === 'o-2');
      assert.equal(await conversations.openConversations('orders', 'blue'), 1, 'o-1 is open in blue');
      const [status] = await readSlotStatus({
        management: broker.management,
        desired: await broker.desiredState.read(),
        catalogue,
        conversations,
      });
      assert.equal(status?.slots.find((each) => each.slot === 'blue')?.drained, false, 'blue is not drained');

      // An event from outside the conversation carries no slot: the live slot, green, takes it.
      await shop.publish(OrderShipped, { orderId: 'o-1' });
      await shop.publish(OrderShipped, { orderId: 'o-2' });
      const closed = await seen.waitForCount(OrderClosed, 2);
      const slotOfClosed = Object.fromEntries(
        closed.map((record) => [record.message.orderId, record.envelope.headers[envelopeHeaders.slot]]),
      );
      assert.deepEqual(
        slotOfClosed,
        { 'o-1': 'blue', 'o-2': 'green' },
        'what a saga produces stays in its slot',
      );

      const where = (orderId: string, type: string) =>
        handled
          .filter((each) => each.orderId === orderId && each.type.includes(type))
          .map((each) => each.endpoint);
      // The observer hears of a step once it is settled, which may be after what it produced arrived.
      await waitFor(
        'both shipments are recorded',
        async () => handled.filter((each) => each.type.includes('OrderShipped')).length === 2,
      );
      assert.deepEqual(where('o-1', 'OrderSubmitted'), ['shop.Order@blue']);
      assert.deepEqual(where('o-2', 'OrderSubmitted'), ['shop.Order@green']);
      assert.deepEqual(where('o-2', 'OrderShipped'), ['shop.Order@green']);
      const creditReplies = handled
        .filter((each) => each.type.includes('CreditChecked'))
        .map((each) => each.endpoint);
      assert.deepEqual(
        creditReplies.sort(),
        ['shop.Order@blue', 'shop.Order@green'],
        'each reply went back to its slot',
      );
      await waitFor(
        'blue has no open conversation',
        async () => (await conversations.openConversations('orders', 'blue')) === 0,
      );
      await waitFor('blue drains', async () => (await operations.status('orders', 'blue')).drained, 30_000);
    } finally {
      await broker.close();
    }
  });
});
