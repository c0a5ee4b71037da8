import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PublishRejectedError, RabbitMqTransport } from '@switchyard/rabbitmq';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import amqp from 'amqplib';

const rabbitmq = await rabbitmqForTests();

const message = { messageId: 'm-1', contentType: 'text/plain', body: Buffer.from('charge'), headers: {} };

describe('a send to an endpoint that runs in slots', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;
  before(async () => {
    vhost = await rabbitmq.createVhost();
  });
  after(async () => {
    await vhost?.delete();
  });

  it('declares no queue of the endpoint’s name behind its exchange, which would take every message from the slots', async () => {
    const connection = await amqp.connect(vhost.url);
    const channel = await connection.createChannel();
    // What the slots' reconciler makes: the endpoint's exchange and its router, here with no slot yet.
    await channel.assertExchange('billing', 'fanout', { durable: true });
    await channel.assertExchange('billing@slots', 'headers', { durable: true });
    const transport = new RabbitMqTransport({ url: vhost.url });
    await transport.start();
    try {
      // Nothing routes it yet: the send fails and says so, rather than filling a queue nobody reads.
      await assert.rejects(transport.send('billing', message), PublishRejectedError);
      const probe = await connection.createChannel();
      probe.on('error', () => {});
      await assert.rejects(probe.checkQueue('billing'), /NOT_FOUND/, 'no queue "billing" was declared');
      // An endpoint not in slots is declared as MassTransit declares a send endpoint.
      await transport.send('invoices', message);
      assert.equal((await channel.checkQueue('invoices')).messageCount, 1);
    } finally {
      await transport.close();
      await connection.close();
    }
  });
});
