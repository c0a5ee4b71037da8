import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PublishRejectedError, RabbitMqTransport } from '@switchyard/rabbitmq';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import amqp from 'amqplib';
import { textMessage } from './support/text-message.ts';

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
    try {
      await transport.send('invoices', textMessage('first'));
      // Someone deletes the queue behind the transport's back: its exchange now routes nowhere.
      const connection = await amqp.connect(vhost.url);
      await (await connection.createChannel()).deleteQueue('invoices');
      await connection.close();

      await assert.rejects(transport.send('invoices', textMessage('second')), (error: unknown) => {
        assert.ok(error instanceof PublishRejectedError);
        assert.match(error.message, /Message second could not be routed to any queue \(exchange "invoices"/);
        return true;
      });
    } finally {
      await transport.close();
    }
  });

  it('fails exactly the send that was returned when two in flight share a message id', async () => {
    const transport = new RabbitMqTransport({ url: vhost.url });
    await transport.start();
    try {
      const connection = await amqp.connect(vhost.url);
      const admin = await connection.createChannel();
      // Both orders: a return matched by message id fails whichever send registered last, and the
      // first confirm to arrive forgets the other's registration.
      for (const order of ['routable first', 'unroutable first'] as const) {
        for (const id of ['same-id', '']) {
          // Declared by the transport, then deleted behind its back: its exchange now routes nowhere.
          await transport.send('twins-kept', textMessage('warm-up', 'kept'));
          await transport.send('twins-gone', textMessage('warm-up', 'gone'));
          await admin.deleteQueue('twins-gone');
          const kept = () => transport.send('twins-kept', textMessage(id, 'kept'));
          const gone = () => transport.send('twins-gone', textMessage(id, 'gone'));
          const [keptResult, goneResult] =
            order === 'routable first'
              ? await Promise.allSettled([kept(), gone()])
              : await Promise.allSettled([gone(), kept()]).then(([g, k]) => [k, g] as const);
          assert.equal(keptResult?.status, 'fulfilled', `${order}, id "${id}": the routable send succeeds`);
          assert.equal(goneResult?.status, 'rejected', `${order}, id "${id}": the unroutable send fails`);
          assert.ok((goneResult as PromiseRejectedResult).reason instanceof PublishRejectedError);
          assert.match(String((goneResult as PromiseRejectedResult).reason), /twins-gone/);
        }
      }
      await connection.close();
    } finally {
      await transport.close();
    }
  });

  it('declares a delay queue again once it expired, instead of failing every delayed send until a reconnection', async () => {
    const transport = new RabbitMqTransport({ url: vhost.url });
    await transport.start();
    try {
      await transport.send('reminders', textMessage('first'), { delayMs: 50 });
      // A delay queue deletes itself a minute after its last message left (x-expires).
      const connection = await amqp.connect(vhost.url);
      await (await connection.createChannel()).deleteQueue('reminders_delay_50');
      await connection.close();

      // The send that finds it gone is returned, and so fails: its caller sends it again.
      await assert.rejects(
        transport.send('reminders', textMessage('second'), { delayMs: 50 }),
        PublishRejectedError,
      );
      await transport.send('reminders', textMessage('second'), { delayMs: 50 });
      await transport.send('reminders', textMessage('third'), { delayMs: 50 });
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
