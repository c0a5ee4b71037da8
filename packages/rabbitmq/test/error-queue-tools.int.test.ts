import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Bus, consumer, createBus, defineMessage, receiveEndpoint } from '@switchyard/bus';
import { ErrorQueueRetryFailedError, ErrorQueueTools, RabbitMqTransport } from '@switchyard/rabbitmq';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import amqp from 'amqplib';
import { z } from 'zod';
import { waitUntil } from '../../bus/test/contract/transport-contract.ts';
import { startFreezableProxy, throughPort } from './support/freezable-proxy.ts';

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
      assert.deepEqual(await tools.retry('refunds_error', [byId.get('r-2') as string]), {
        moved: 1,
        notMoved: [],
      });
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
      assert.deepEqual(await tools.retry('refunds_error'), { moved: 0, notMoved: [] });
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

  it('keeps a message whose source queue no longer exists in the error queue, and says why', async () => {
    const connection = await amqp.connect(vhost.url);
    const tools = new ErrorQueueTools({ url: vhost.url });
    try {
      const channel = await connection.createConfirmChannel();
      await channel.assertQueue('invoicing_error', { durable: true });
      await channel.assertQueue('billing', { durable: true });
      // `invoicing` was renamed `billing`: one message names the old queue (by the error queue's name),
      // the other the new one.
      channel.sendToQueue('invoicing_error', Buffer.from('old'), { persistent: true, messageId: 'm-old' });
      channel.sendToQueue('invoicing_error', Buffer.from('new'), {
        persistent: true,
        messageId: 'm-new',
        headers: { 'Switchyard-Source-Queue': 'billing' },
      });
      await channel.waitForConfirms();

      const result = await tools.retry('invoicing_error');

      assert.equal((await channel.checkQueue('invoicing_error')).messageCount, 1, 'm-old stays');
      assert.equal((await channel.checkQueue('billing')).messageCount, 1, 'm-new moved');
      assert.deepEqual(result, {
        moved: 1,
        notMoved: [
          { messageId: 'm-old', sourceQueue: 'invoicing', reason: 'source queue "invoicing" does not exist' },
        ],
      });
      const left = await tools.list('invoicing_error');
      assert.deepEqual(
        left.map((each) => each.messageId),
        ['m-old'],
      );
    } finally {
      await tools.close();
      await connection.close();
    }
  });

  it('leaves at most one extra copy, in the source queue, when a retry stops between the confirmed publish and the ack', async () => {
    const connection = await amqp.connect(vhost.url);
    const tools = new ErrorQueueTools({ url: vhost.url, interruptBeforeAck: () => true });
    try {
      const channel = await connection.createConfirmChannel();
      await channel.assertQueue('stock_error', { durable: true });
      await channel.assertQueue('stock', { durable: true });
      for (const id of ['s-1', 's-2']) {
        channel.sendToQueue('stock_error', Buffer.from(id), { persistent: true, messageId: id });
      }
      await channel.waitForConfirms();

      assert.deepEqual(await tools.retry('stock_error'), { moved: 0, notMoved: [] });
      await tools.close();

      // The one message under way is in both queues, with its own id (an inbox takes it once); the
      // next was not touched.
      assert.equal((await channel.checkQueue('stock_error')).messageCount, 2);
      const copy = await channel.get('stock', { noAck: true });
      assert.ok(copy);
      assert.equal(copy.properties.messageId, 's-1');
      assert.equal(await channel.get('stock', { noAck: true }), false);
    } finally {
      await tools.close();
      await connection.close();
    }
  });

  it('fails a retry whose commit gets no answer within commitTimeoutMs, leaving at most one copy in the source queue', async () => {
    const url = new URL(vhost.url);
    const proxy = await startFreezableProxy({ host: url.hostname, port: Number(url.port || 5672) });
    const connection = await amqp.connect(vhost.url);
    // The broker stops answering (it blocked publishers, or stalled) just as the publish is committed.
    const tools = new ErrorQueueTools({
      url: throughPort(vhost.url, proxy.port),
      commitTimeoutMs: 500,
      interruptBeforeCommit: () => {
        proxy.freeze();
        return false;
      },
    });
    try {
      const channel = await connection.createConfirmChannel();
      await channel.assertQueue('payouts_error', { durable: true });
      await channel.assertQueue('payouts', { durable: true });
      channel.sendToQueue('payouts_error', Buffer.from('p-1'), { persistent: true, messageId: 'p-1' });
      await channel.waitForConfirms();

      const started = Date.now();
      await assert.rejects(tools.retry('payouts_error'), (error: unknown) => {
        assert.ok(error instanceof ErrorQueueRetryFailedError);
        assert.match(
          error.message,
          /Could not publish message p-1 to queue "payouts": no answer within 500ms/,
        );
        return true;
      });
      assert.ok(Date.now() - started < 2_000, `failed within the bound (${Date.now() - started}ms)`);
      proxy.thaw();
      await waitUntil(async () => (await channel.checkQueue('payouts_error')).messageCount === 1);
      assert.ok((await channel.checkQueue('payouts')).messageCount <= 1, 'at most one copy');
    } finally {
      proxy.thaw();
      await tools.close();
      await proxy.close();
      await connection.close();
    }
  });
});
