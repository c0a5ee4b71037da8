import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Bus, consumer, createBus, defineMessage, receiveEndpoint } from '@switchyard/bus';
import { ErrorQueueTools, RabbitMqTransport } from '@switchyard/rabbitmq';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import amqp from 'amqplib';
import { z } from 'zod';
import { waitUntil } from '../../bus/test/contract/transport-contract.ts';

const rabbitmq = await rabbitmqForTests();
const Refund = defineMessage('milkround.returns.IssueRefund', z.object({ refundId: z.string() }));

describe('error queue tools', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;
  let bus: Bus;
  let paymentsDown = true;
  const refunded: string[] = [];

  before(async () => {
    vhost = await rabbitmq.createVhost();
    bus = createBus({
      transport: new RabbitMqTransport({ url: vhost.url }),
      endpoints: [
        receiveEndpoint('refunds', {
          retry: { immediate: { limit: 0 } },
          consumers: [
            consumer(
              Refund,
              (refund) => {
                if (paymentsDown) throw new Error('payment provider unavailable');
                refunded.push(refund.refundId);
              },
              { name: 'issue-refund' },
            ),
          ],
        }),
      ],
    });
    await bus.start();
  });

  after(async () => {
    await bus?.stop();
    await vhost?.delete();
  });

  it('lists faulted messages with their faults, leaving them in place, then retries chosen ones and purges the rest', async () => {
    for (const refundId of ['r-1', 'r-2', 'r-3']) await bus.send('refunds', Refund, { refundId });
    const tools = new ErrorQueueTools({ url: vhost.url });
    try {
      let listed = await tools.list('refunds_error');
      const deadline = Date.now() + 5_000;
      while (listed.length < 3 && Date.now() < deadline) listed = await tools.list('refunds_error');
      assert.equal(listed.length, 3);
      assert.equal((await tools.list('refunds_error')).length, 3, 'listing takes nothing away');
      const first = listed[0];
      assert.ok(first);
      assert.equal(first.sourceQueue, 'refunds');
      assert.equal(first.fault.message, 'payment provider unavailable');
      assert.equal(first.fault.consumer, 'issue-refund');
      assert.equal(first.fault.retryCount, 0);
      const shown = await tools.show('refunds_error', first.messageId);
      assert.equal(shown?.messageId, first.messageId);

      paymentsDown = false;
      const byId = new Map(
        listed.map((message) => [
          JSON.parse(Buffer.from(message.body).toString()).message.refundId,
          message.messageId,
        ]),
      );
      assert.equal(await tools.retry('refunds_error', [byId.get('r-2') as string]), 1);
      await waitUntil(() => refunded.includes('r-2'));
      assert.deepEqual(refunded, ['r-2']);
      assert.equal((await tools.list('refunds_error')).length, 2);

      assert.equal(await tools.purge('refunds_error'), 2);
      assert.equal((await tools.list('refunds_error')).length, 0);
    } finally {
      await tools.close();
    }
  });

  it('leaves a message in the error queue, and not also in its source queue, when a retry is interrupted', async () => {
    paymentsDown = true;
    await bus.send('refunds', Refund, { refundId: 'r-9' });
    const tools = new ErrorQueueTools({ url: vhost.url, interruptBeforeCommit: () => true });
    const inspect = new ErrorQueueTools({ url: vhost.url });
    try {
      const deadline = Date.now() + 5_000;
      while ((await inspect.list('refunds_error')).length < 1 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await bus.stop(); // nobody consumes `refunds` while we look at it
      assert.equal(await tools.retry('refunds_error'), 0);
      await tools.close(); // the uncommitted publish and ack are rolled back with the channel

      const connection = await amqp.connect(vhost.url);
      try {
        const channel = await connection.createChannel();
        assert.equal((await channel.checkQueue('refunds_error')).messageCount, 1);
        assert.equal((await channel.checkQueue('refunds')).messageCount, 0);
      } finally {
        await connection.close();
      }
    } finally {
      await tools.close();
      await inspect.close();
    }
  });
});
