import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import amqp from 'amqplib';

const rabbitmq = await rabbitmqForTests();

describe('a fresh RabbitMQ vhost per test file', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;

  before(async () => {
    vhost = await rabbitmq.createVhost();
  });

  after(async () => {
    await vhost?.delete();
  });

  it('carries a confirmed, persistent message through a durable queue in its own vhost', async () => {
    const connection = await amqp.connect(vhost.url);
    try {
      const channel = await connection.createConfirmChannel();
      await channel.assertQueue('deliveries', { durable: true });
      channel.sendToQueue('deliveries', Buffer.from('{"round":7}'), {
        persistent: true,
        contentType: 'application/json',
      });
      await channel.waitForConfirms();

      const received = await channel.get('deliveries', { noAck: false });
      assert.ok(received, 'the confirmed message is in the queue');
      assert.equal(received.content.toString(), '{"round":7}');
      assert.equal(received.properties.contentType, 'application/json');
      channel.ack(received);
    } finally {
      await connection.close();
    }

    const queues = await vhost.readManagement(`/api/queues/${vhost.name}?columns=name,durable`);
    assert.deepEqual(queues, [{ name: 'deliveries', durable: true }]);
    const defaultVhostQueues = (await vhost.readManagement('/api/queues/%2F?columns=name')) as Array<{
      name: string;
    }>;
    assert.ok(!defaultVhostQueues.some((queue) => queue.name === 'deliveries'));
  });

  it('deletes the vhost, after which it refuses connections', async () => {
    const doomed = await rabbitmq.createVhost();
    await doomed.delete();
    await assert.rejects(doomed.readManagement(`/api/vhosts/${doomed.name}`), /answered 404/);
    // The broker answers the AMQP handshake for a missing vhost with connection.close.
    await assert.rejects(amqp.connect(doomed.url), /ConnectionClose|ACCESS-REFUSED/);
  });
});
