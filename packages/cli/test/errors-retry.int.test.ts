import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import amqp from 'amqplib';
import { exitCodes } from '../src/index.ts';
import { runYard } from './support/run-yard.ts';

const here = dirname(fileURLToPath(import.meta.url));
const appFile = join(here, 'fixtures', 'refunds-app.ts');
const rabbitmq = await rabbitmqForTests();

describe('yard errors retry on RabbitMQ', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;
  let dataDir: string;

  before(async () => {
    vhost = await rabbitmq.createVhost();
    dataDir = await mkdtemp(join(tmpdir(), 'yard-errors-'));
  });

  after(async () => {
    await vhost?.delete();
    await rm(dataDir, { recursive: true, force: true });
  });

  const yard = async (...args: string[]) => {
    const env = { PATH: process.env.PATH, SWITCHYARD_DATABASE__DATA_DIR: dataDir, RABBITMQ_URL: vhost.url };
    return runYard(['--app', appFile, ...args], { env, cwd: here });
  };

  it('prints each message that stayed because its source queue is gone, and exits 1', async () => {
    const connection = await amqp.connect(vhost.url);
    try {
      const channel = await connection.createConfirmChannel();
      await channel.assertQueue('shipping_error', { durable: true });
      await channel.assertQueue('dispatch', { durable: true });
      channel.sendToQueue('shipping_error', Buffer.from('{}'), { persistent: true, messageId: 'm-gone' });
      channel.sendToQueue('shipping_error', Buffer.from('{}'), {
        persistent: true,
        messageId: 'm-here',
        headers: { 'Switchyard-Source-Queue': 'dispatch' },
      });
      await channel.waitForConfirms();

      const json = await yard('--json', 'errors', 'retry', 'shipping_error', 'm-gone', 'm-here');
      assert.equal(json.code, exitCodes.failed, json.err);
      assert.deepEqual(JSON.parse(json.out), {
        queue: 'shipping_error',
        moved: 1,
        notMoved: [
          { messageId: 'm-gone', sourceQueue: 'shipping', reason: 'source queue "shipping" does not exist' },
        ],
      });
      assert.match(json.err, /1 message\(s\) stayed in shipping_error/);

      const table = await yard('errors', 'retry', 'shipping_error', '--all');
      assert.equal(table.code, exitCodes.failed);
      assert.match(table.out, /not moved: m-gone to shipping: source queue "shipping" does not exist/);
      assert.equal((await channel.checkQueue('shipping_error')).messageCount, 1, 'm-gone is still there');
      assert.equal((await channel.checkQueue('dispatch')).messageCount, 1, 'm-here moved once');
    } finally {
      await connection.close();
    }
  });
});
