import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type Bus,
  consumer,
  createBus,
  defineMessage,
  faultOf,
  receiveEndpoint,
  transportHeaders,
} from '@switchyard/bus';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import amqp from 'amqplib';
import { z } from 'zod';
import { waitUntil } from '../../bus/test/contract/transport-contract.ts';

const rabbitmq = await rabbitmqForTests();

// MassTransit's documented JSON envelope (https://masstransit.io/architecture/interoperability):
// content type application/vnd.masstransit+json, camel-case fields, the message under "message",
// and a message type URN per type; MassTransit publishes it to a fanout exchange named
// "<Namespace>:<Type>" (https://masstransit.io/documentation/transports/rabbitmq).
const SubmitOrder = defineMessage(
  'Milkround.Contracts.SubmitOrder',
  z.object({ orderId: z.string(), customerNumber: z.string() }),
);
const OrderSubmitted = defineMessage('Milkround.Contracts.OrderSubmitted', z.object({ orderId: z.string() }));

describe('the bus on RabbitMQ', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;
  let bus: Bus;
  let raw: amqp.ChannelModel;
  let channel: amqp.Channel;
  const handled: string[] = [];
  let failuresLeft = new Map<string, number>();

  before(async () => {
    vhost = await rabbitmq.createVhost();
    bus = createBus({
      transport: new RabbitMqTransport({ url: vhost.url }),
      endpoints: [
        receiveEndpoint('submit-order', {
          retry: { immediate: { limit: 1, intervalsMs: [10] }, redelivery: { intervalsMs: [100, 200] } },
          consumers: [
            consumer(SubmitOrder, async (order, context) => {
              const left = failuresLeft.get(order.orderId) ?? 0;
              if (left > 0) {
                failuresLeft.set(order.orderId, left - 1);
                throw new Error(`order ${order.orderId} not ready`);
              }
              handled.push(order.orderId);
              await context.publish(OrderSubmitted, { orderId: order.orderId });
            }),
          ],
        }),
      ],
    });
    await bus.start();
    raw = await amqp.connect(vhost.url);
    channel = await raw.createChannel();
  });

  after(async () => {
    await bus?.stop();
    await raw?.close();
    await vhost?.delete();
  });

  it('consumes what a MassTransit service publishes', async () => {
    const envelope = {
      messageId: '18000000-5d5b-0015-5a2c-08dc1a3c8c7b',
      correlationId: null,
      conversationId: '18000000-5d5b-0015-6b1c-08dc1a3c8c79',
      sourceAddress: 'rabbitmq://localhost/DESKTOP01_Orders_bus_abcd',
      destinationAddress: 'rabbitmq://localhost/Milkround.Contracts:SubmitOrder',
      messageType: ['urn:message:Milkround.Contracts:SubmitOrder'],
      message: { orderId: 'from-dotnet', customerNumber: 'C-1' },
      sentTime: '2026-11-23T09:00:00.1234567Z',
      headers: {},
      host: { machineName: 'DESKTOP01', processName: 'Milkround.Orders', massTransitVersion: '8.5.8.0' },
    };
    channel.publish('Milkround.Contracts:SubmitOrder', '', Buffer.from(JSON.stringify(envelope)), {
      contentType: 'application/vnd.masstransit+json',
      messageId: envelope.messageId,
      persistent: true,
    });
    await waitUntil(() => handled.includes('from-dotnet'));
  });

  it('publishes what a MassTransit service reads: its envelope on the message type exchange', async () => {
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.assertExchange('Milkround.Contracts:OrderSubmitted', 'fanout', { durable: true });
    await channel.bindQueue(queue, 'Milkround.Contracts:OrderSubmitted', '');
    await bus.publish(SubmitOrder, { orderId: 'to-dotnet', customerNumber: 'C-2' });
    // The first test's consumer may still be publishing its OrderSubmitted: take ours.
    let message = await poll(channel, queue);
    while (JSON.parse(message.content.toString()).message.orderId !== 'to-dotnet')
      message = await poll(channel, queue);
    assert.equal(message.properties.contentType, 'application/vnd.masstransit+json');
    assert.equal(message.properties.deliveryMode, 2);
    const envelope = JSON.parse(message.content.toString());
    assert.equal(message.properties.messageId, envelope.messageId);
    assert.match(envelope.messageId, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(envelope.messageType, ['urn:message:Milkround.Contracts:OrderSubmitted']);
    assert.deepEqual(envelope.message, { orderId: 'to-dotnet' });
    assert.ok(!Number.isNaN(Date.parse(envelope.sentTime)));
    assert.match(envelope.sourceAddress, /^rabbitmq:\/\/127\.0\.0\.1\/yard_test_\d+_\w+\/submit-order$/);
    assert.equal(typeof envelope.conversationId, 'string');
    assert.equal(typeof envelope.initiatorId, 'string', 'the consumed message initiated it');
  });

  it('redelivers through the delay queues, keeping headers, then moves the message to the error queue', async () => {
    failuresLeft = new Map([['never', 99]]);
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.assertExchange(faultOf(SubmitOrder).entityName, 'fanout', { durable: true });
    await channel.bindQueue(queue, faultOf(SubmitOrder).entityName, '');
    const startedAt = Date.now();
    await bus.send('queue:submit-order', SubmitOrder, { orderId: 'never', customerNumber: 'C-3' });

    const fault = await poll(channel, queue, 15_000);
    assert.ok(Date.now() - startedAt >= 300, 'waited out both redelivery delays');
    assert.equal(JSON.parse(fault.content.toString()).message.exceptions[0].message, 'order never not ready');
    const errored = await poll(channel, 'submit-order_error');
    const headers = errored.properties.headers ?? {};
    assert.equal(headers[transportHeaders.reason], 'fault');
    assert.equal(Number(headers[transportHeaders.redeliveryCount]), 2);
    assert.equal(Number(headers[transportHeaders.faultRetryCount]), 1);
    assert.equal(headers[transportHeaders.faultMessage], 'order never not ready');
    assert.deepEqual(JSON.parse(errored.content.toString()).message, {
      orderId: 'never',
      customerNumber: 'C-3',
    });
    assert.equal(handled.includes('never'), false);
  });
});

describe('a poison message in the middle of a stream on RabbitMQ', { skip: rabbitmq.skip }, () => {
  it('goes to the error queue with its reason while the rest are handled', async () => {
    const vhost = await rabbitmq.createVhost();
    const seen: string[] = [];
    const bus = createBus({
      transport: new RabbitMqTransport({ url: vhost.url }),
      endpoints: [
        receiveEndpoint('orders-stream', {
          concurrency: 1,
          consumers: [consumer(OrderSubmitted, (message) => void seen.push(message.orderId))],
        }),
      ],
    });
    await bus.start();
    const connection = await amqp.connect(vhost.url);
    try {
      for (let index = 0; index < 20; index++) {
        if (index === 10) {
          const channel = await connection.createConfirmChannel();
          channel.sendToQueue('orders-stream', Buffer.from('{"messageId": "poison", "message": {'), {
            contentType: 'application/vnd.masstransit+json',
            messageId: 'poison',
            persistent: true,
          });
          await channel.waitForConfirms();
        }
        await bus.send('orders-stream', OrderSubmitted, { orderId: `o-${index}` });
      }
      await waitUntil(() => seen.length === 20, 10_000);
      assert.deepEqual(
        seen,
        Array.from({ length: 20 }, (_, index) => `o-${index}`),
      );
      const channel = await connection.createChannel();
      const errored = await poll(channel, 'orders-stream_error');
      assert.equal(errored.properties.messageId, 'poison');
      assert.equal(errored.properties.headers?.[transportHeaders.faultExceptionType], 'EnvelopeDecodeError');
      assert.match(String(errored.properties.headers?.[transportHeaders.faultMessage]), /not valid JSON/);
    } finally {
      await connection.close();
      await bus.stop();
      await vhost.delete();
    }
  });
});

async function poll(channel: amqp.Channel, queue: string, timeoutMs = 5_000): Promise<amqp.GetMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const message = await channel.get(queue, { noAck: true });
    if (message) return message;
    if (Date.now() > deadline) throw new Error(`Nothing arrived in ${queue} within ${timeoutMs}ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
