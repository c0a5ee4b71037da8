import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildTopology, type Delivery, uuidv7 } from '@switchyard/bus';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import { waitUntil } from '../../bus/test/contract/transport-contract.ts';

const rabbitmq = await rabbitmqForTests();
const holder = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'hold-deliveries.ts');

describe('a consumer process killed with SIGKILL mid-batch', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;
  before(async () => {
    vhost = await rabbitmq.createVhost();
  });
  after(async () => {
    await vhost?.delete();
  });

  it('has its unacknowledged messages redelivered to another consumer, none lost', async () => {
    const transport = new RabbitMqTransport({ url: vhost.url });
    await transport.start();
    try {
      await transport.deploy(buildTopology([{ name: 'rounds', subscribes: [] }]));
      const sent = Array.from({ length: 25 }, () => uuidv7());
      for (const messageId of sent) {
        await transport.send('rounds', {
          messageId,
          contentType: 'text/plain',
          body: Buffer.from(messageId),
          headers: {},
        });
      }

      const child = spawn(process.execPath, [holder, vhost.url, 'rounds', '10'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let held = 0;
      child.stdout.on('data', (chunk: Buffer) => {
        const counts = [...chunk.toString().matchAll(/holding (\d+)/g)].map((match) => Number(match[1]));
        held = Math.max(held, ...counts);
      });
      await waitUntil(() => held === 10, 15_000, 'the child to hold a full prefetch of 10');
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGKILL');
      await exited;

      const received: Delivery[] = [];
      await transport.consume('rounds', { prefetch: 50 }, (delivery) => {
        received.push(delivery);
        void delivery.ack();
      });
      await waitUntil(() => received.length >= sent.length, 15_000, 'every message');
      assert.deepEqual(received.map((delivery) => delivery.message.messageId).sort(), [...sent].sort());
      assert.equal(
        received.filter((delivery) => delivery.redelivered).length,
        10,
        'the ten the killed process held come back marked redelivered',
      );
    } finally {
      await transport.close();
    }
  });
});
