import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTopology } from '@switchyard/bus';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import amqp from 'amqplib';
import { textMessage } from './support/text-message.ts';

const rabbitmq = await rabbitmqForTests();

// A responder sends to a requester's temporary response queue. Once, after a broker restart, a
// responder re-declared such a queue as a durable endpoint before its requester came back, and the
// requester could never declare its own queue again (406, inequivalent arg 'durable'): the fault
// suite's RabbitMQ restart never recovered.
describe('a requester’s response queue is its own', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;
  before(async () => {
    vhost = await rabbitmq.createVhost();
  });
  after(async () => {
    await vhost?.delete();
  });

  it('is sent to but never declared by a responder, so its requester can always declare it again', async () => {
    const responseQueue = 'host_4242_bus_0123456789ab';
    const requesterTopology = buildTopology([{ name: responseQueue, subscribes: [], temporary: true }]);
    const requester = new RabbitMqTransport({ url: vhost.url });
    const responder = new RabbitMqTransport({ url: vhost.url, unavailableTimeoutMs: 2_000 });
    await requester.start();
    await responder.start();
    try {
      await requester.deploy(requesterTopology);
      await responder.send(responseQueue, textMessage('answer-1'));

      // The requester goes away (a restart drops non-durable queues and exchanges the same way).
      await requester.close();
      const admin = await amqp.connect(vhost.url);
      const channel = await admin.createChannel();
      await channel.deleteQueue(responseQueue);
      await channel.deleteExchange(responseQueue);
      await admin.close();

      // A late answer fails, and leaves nothing behind in the requester's name.
      await assert.rejects(responder.send(responseQueue, textMessage('answer-2')));
      const again = new RabbitMqTransport({ url: vhost.url });
      await again.start();
      try {
        await again.deploy(requesterTopology);
        await responder.send(responseQueue, textMessage('answer-3'));
      } finally {
        await again.close();
      }
    } finally {
      await responder.close();
      await requester.close().catch(() => {});
    }
  });
});
