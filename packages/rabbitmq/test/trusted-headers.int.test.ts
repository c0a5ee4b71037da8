import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTopology, type Delivery } from '@switchyard/bus';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import amqp from 'amqplib';
import { waitUntil } from '../../bus/test/contract/transport-contract.ts';
import { fromOutside, trustedHeadersContract } from '../../bus/test/contract/trusted-headers-contract.ts';

const rabbitmq = await rabbitmqForTests();

if (rabbitmq.skip) {
  it('Headers the bus trusts: RabbitMQ', { skip: rabbitmq.skip }, () => {});
} else {
  trustedHeadersContract('RabbitMQ', async () => {
    const vhost = await rabbitmq.createVhost();
    return {
      async connect() {
        const transport = new RabbitMqTransport({ url: vhost.url, connectionName: 'trusted-headers-test' });
        await transport.start();
        return transport;
      },
      dispose: () => vhost.delete(),
    };
  });
}

describe('what a RabbitMQ delivery proves about where it came from', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;
  let transport: RabbitMqTransport;
  before(async () => {
    vhost = await rabbitmq.createVhost();
    transport = new RabbitMqTransport({ url: vhost.url });
    await transport.start();
    await transport.deploy(buildTopology([{ name: 'orders', subscribes: [] }]));
  });
  after(async () => {
    await transport?.close();
    await vhost?.delete();
  });

  /** Publishes with a raw client, as any producer with publish rights on the vhost can. */
  async function publishRaw(routingKey: string, headers: Record<string, unknown>): Promise<string> {
    const connection = await amqp.connect(vhost.url);
    try {
      const channel = await connection.createConfirmChannel();
      const message = fromOutside({});
      channel.publish('', routingKey, Buffer.from(message.body), {
        messageId: message.messageId,
        contentType: message.contentType,
        headers,
      });
      await channel.waitForConfirms();
      return message.messageId;
    } finally {
      await connection.close();
    }
  }

  async function nextDelivery(received: Delivery[], messageId: string): Promise<Delivery> {
    await waitUntil(() => received.some((each) => each.message.messageId === messageId), 5_000, messageId);
    return received.find((each) => each.message.messageId === messageId) as Delivery;
  }

  it("vouches for the endpoint's own redelivery path, and not for another queue's", async () => {
    const received: Delivery[] = [];
    await transport.consume('orders', { prefetch: 10 }, (delivery) => {
      received.push(delivery);
      void delivery.ack();
    });
    const own = fromOutside({ 'Switchyard-Redelivery-Queue': 'orders' });
    await transport.send('orders', own, { delayMs: 30, redelivery: true });
    const ownDelivery = await nextDelivery(received, own.messageId);
    assert.equal(ownDelivery.viaOwnRedelivery, true);
    assert.match(String(ownDelivery.message.headers['x-death']), /orders_redelivery_30/);

    // Another endpoint's redelivery forwarded here with its headers, x-death included.
    const forwarded = await publishRaw('orders', {
      'MT-Redelivery-Count': 1,
      'Switchyard-Redelivery-Queue': 'billing',
      'x-death': [{ count: 1, reason: 'expired', queue: 'billing_redelivery_30', exchange: '' }],
    });
    assert.equal((await nextDelivery(received, forwarded)).viaOwnRedelivery, false);

    // A plain delayed send goes through the shared delay queue, which proves nothing.
    const delayed = fromOutside({ 'Switchyard-Redelivery-Queue': 'orders' });
    await transport.send('orders', delayed, { delayMs: 30 });
    assert.equal((await nextDelivery(received, delayed.messageId)).viaOwnRedelivery, false);

    // The boundary, stated: RabbitMQ 3.10 keeps an x-death table a client publishes, so a producer that
    // writes this endpoint's redelivery queue into it by hand is believed. Only publish rights stop it.
    const forged = await publishRaw('orders', {
      'x-death': [{ count: 1, reason: 'expired', queue: 'orders_redelivery_30', exchange: '' }],
    });
    assert.equal((await nextDelivery(received, forged)).viaOwnRedelivery, true);
  });
});
