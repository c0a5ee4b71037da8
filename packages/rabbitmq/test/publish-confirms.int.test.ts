import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PublishRejectedError, RabbitMqTransport } from '@switchyard/rabbitmq';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import amqp from 'amqplib';

const rabbitmq = await rabbitmqForTests();

describe('publisher confirms and mandatory sends', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;
  before(async () => {
    vhost = await rabbitmq.createVhost();
  });
  after(async () => {
    await vhost?.delete();
  });

  it('rejects a send that no queue accepted, instead of dropping it', async () => {
    const transport = new RabbitMqTransport({ url: vhost.url });
    await transport.start();
    const message = (id: string) => ({
      messageId: id,
      contentType: 'text/plain',
      body: Buffer.from(id),
      headers: {},
    });
    try {
      await transport.send('invoices', message('first'));
      // Someone deletes the queue behind the transport's back: its exchange now routes nowhere.
      const connection = await amqp.connect(vhost.url);
      await (await connection.createChannel()).deleteQueue('invoices');
      await connection.close();

      await assert.rejects(transport.send('invoices', message('second')), (error: unknown) => {
        assert.ok(error instanceof PublishRejectedError);
        assert.match(error.message, /Message second could not be routed to any queue \(exchange "invoices"/);
        return true;
      });
    } finally {
      await transport.close();
    }
  });

  it('consumes a quorum queue another service declared, without redeclaring it', async () => {
    const connection = await amqp.connect(vhost.url);
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue('ledger', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    channel.sendToQueue('ledger', Buffer.from('entry'), { persistent: true, messageId: 'entry-1' });
    await channel.waitForConfirms();
    await connection.close();

    const transport = new RabbitMqTransport({ url: vhost.url });
    await transport.start();
    try {
      const received = await new Promise<string>((resolve) => {
        void transport.consume('ledger', { prefetch: 1 }, (delivery) => {
          void delivery.ack();
          resolve(delivery.message.messageId);
        });
      });
      assert.equal(received, 'entry-1');
    } finally {
      await transport.close();
    }
  });
});
