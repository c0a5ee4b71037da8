import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { evacuateQueue } from '@switchyard/slots';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import amqp, { type ChannelModel, type Options } from 'amqplib';
import { startCommitStallingProxy } from './support/commit-stalling-proxy.ts';
import { waitFor } from './support/slotted-broker.ts';

const rabbitmq = await rabbitmqForTests();

describe('evacuating a queue no slot reads', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;
  let connection: ChannelModel;

  before(async () => {
    vhost = await rabbitmq.createVhost();
    connection = await amqp.connect(vhost.url);
  });
  after(async () => {
    await connection?.close().catch(() => {});
    await vhost?.delete();
  });

  /** A stranded queue holding `messages`, and a live exchange that routes only `route: yes` to its queue. */
  async function stranded(name: string, messages: readonly [string, Options.Publish][]) {
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue(name, { durable: true });
    await channel.assertExchange(`${name}-live`, 'headers', { durable: true });
    await channel.assertQueue(`${name}-live`, { durable: true });
    await channel.bindQueue(`${name}-live`, `${name}-live`, '', { 'x-match': 'all', route: 'yes' });
    for (const [body, options] of messages) channel.sendToQueue(name, Buffer.from(body), options);
    await channel.waitForConfirms();
    await channel.close();
  }

  /** Every message in `queue`, taken off it: bodies and message ids. */
  async function drain(queue: string): Promise<{ body: string; messageId: unknown }[]> {
    const channel = await connection.createChannel();
    const taken: { body: string; messageId: unknown }[] = [];
    for (let message = await channel.get(queue, { noAck: true }); message; ) {
      taken.push({ body: message.content.toString(), messageId: message.properties.messageId });
      message = await channel.get(queue, { noAck: true });
    }
    await channel.close();
    return taken;
  }

  it('tells a returned message from a routed one that shares its message id, or has none', async () => {
    const routed = { headers: { route: 'yes' }, persistent: true };
    const unroutable = { headers: { route: 'no' }, persistent: true };
    await stranded('billing@blue', [
      ['routed-same-id', { ...routed, messageId: 'same' }],
      ['returned-same-id', { ...unroutable, messageId: 'same' }],
      ['routed-no-id', routed],
      ['returned-no-id', unroutable],
    ]);
    const report = await evacuateQueue(vhost.url, 'billing@blue', 'billing@blue-live');
    assert.equal(report.moved, 2);
    assert.equal(report.stoppedBecause, 'billing@blue-live routes to no queue');
    // Each message is in exactly one queue: the routed ones moved, the returned ones stayed.
    assert.deepEqual((await drain('billing@blue-live')).map(({ body }) => body).sort(), [
      'routed-no-id',
      'routed-same-id',
    ]);
    assert.deepEqual((await drain('billing@blue')).map(({ body, messageId }) => [body, messageId]).sort(), [
      ['returned-no-id', undefined],
      ['returned-same-id', 'same'],
    ]);
  });

  it('fails with SLOTS_EVACUATION_STALLED when the broker does not answer a commit, and loses nothing', {
    timeout: 30_000,
  }, async () => {
    await stranded(
      'deliveries@blue',
      Array.from({ length: 5 }, (_, index) => [
        `m-${index}`,
        { headers: { route: 'yes' }, messageId: `m-${index}`, persistent: true },
      ]),
    );
    const brokerUrl = new URL(vhost.url);
    const proxy = await startCommitStallingProxy({
      host: brokerUrl.hostname,
      port: Number(brokerUrl.port || 5672),
    });
    try {
      const viaProxy = new URL(vhost.url);
      viaProxy.hostname = '127.0.0.1';
      viaProxy.port = String(proxy.port);
      proxy.stallAtNextCommit();
      const started = Date.now();
      await assert.rejects(
        evacuateQueue(viaProxy.href, 'deliveries@blue', 'deliveries@blue-live', { commitTimeoutMs: 1_000 }),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'SLOTS_EVACUATION_STALLED');
          assert.match(error.message, /did not commit the copies within 1000ms/);
          assert.match(error.message, /stays in "deliveries@blue"/);
          return true;
        },
      );
      const tookMs = Date.now() - started;
      assert.ok(proxy.stalled, 'the commit was held back');
      assert.ok(tookMs < 1_000 + 2_000, `failed after ${tookMs}ms`);
    } finally {
      await proxy.close();
    }
    // The dropped link rolled the batch back: every message is back in its queue, none was copied.
    const channel = await connection.createChannel();
    await waitFor('the batch is back in its queue', async () => {
      return (await channel.checkQueue('deliveries@blue')).messageCount === 5;
    });
    await channel.close();
    assert.equal((await drain('deliveries@blue-live')).length, 0);
    // With the broker answering again, the next evacuation moves them all.
    const report = await evacuateQueue(vhost.url, 'deliveries@blue', 'deliveries@blue-live');
    assert.equal(report.moved, 5);
    assert.equal((await drain('deliveries@blue-live')).length, 5);
  });
});
