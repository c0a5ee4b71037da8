import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildTopology, type Delivery, uuidv7 } from '@switchyard/bus';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import { waitUntil } from '../../bus/test/contract/transport-contract.ts';

const rabbitmq = await rabbitmqForTests();
const cancelAfterSettling = join(
  dirname(fileURLToPath(import.meta.url)),
  'fixtures',
  'cancel-after-settling.ts',
);

describe('settling deliveries on RabbitMQ (acks sent once per event-loop turn)', {
  skip: rabbitmq.skip,
}, () => {
  let vhost: TestVhost;
  before(async () => {
    vhost = await rabbitmq.createVhost();
  });
  after(async () => {
    await vhost?.delete();
  });

  const message = (label: string) => ({
    messageId: uuidv7(),
    contentType: 'text/plain',
    body: Buffer.from(label),
    headers: {},
  });
  const label = (delivery: Delivery) => Buffer.from(delivery.message.body).toString();

  it('acks the deliveries behind a slow one, so the prefetch keeps flowing, and requeues in place', async () => {
    const transport = new RabbitMqTransport({ url: vhost.url });
    await transport.start();
    try {
      await transport.deploy(buildTopology([{ name: 'rounds', subscribes: [] }]));
      for (let index = 0; index < 30; index++) await transport.send('rounds', message(`m${index}`));
      const received: Delivery[] = [];
      let slow: Delivery | undefined;
      let requeuedOnce = false;
      await transport.consume('rounds', { prefetch: 5 }, (delivery) => {
        received.push(delivery);
        if (label(delivery) === 'm0') {
          slow = delivery; // held: the head of the channel stays unsettled
        } else if (label(delivery) === 'm3' && !requeuedOnce) {
          requeuedOnce = true;
          void delivery.requeue();
        } else void delivery.ack();
      });
      // With m0 held and a prefetch of 5, the rest can only all arrive if each ack reached the broker.
      await waitUntil(() => received.length === 31, 10_000, 'all 30 messages plus the requeued m3');
      const m3 = received.filter((delivery) => label(delivery) === 'm3');
      assert.deepEqual(
        m3.map((delivery) => delivery.redelivered),
        [false, true],
      );
      await slow?.ack();
    } finally {
      await transport.close();
    }
  });

  it('sends settled acks before closing the channel: nothing acknowledged comes back', async () => {
    const first = new RabbitMqTransport({ url: vhost.url });
    await first.start();
    await first.deploy(buildTopology([{ name: 'closing', subscribes: [] }]));
    for (let index = 0; index < 10; index++) await first.send('closing', message(`c${index}`));
    const seen: Delivery[] = [];
    await first.consume('closing', { prefetch: 10 }, (delivery) => {
      seen.push(delivery);
      // Acked in the same turn as the close below: the acks are still waiting to be flushed.
      if (seen.length === 10) {
        for (const each of seen.slice(0, 8)) void each.ack();
        void first.close();
      }
    });
    await waitUntil(() => first.health().state === 'closed', 10_000, 'the transport to close');

    const second = new RabbitMqTransport({ url: vhost.url });
    await second.start();
    try {
      const redelivered: Delivery[] = [];
      await second.consume('closing', { prefetch: 10 }, (delivery) => {
        redelivered.push(delivery);
        void delivery.ack();
      });
      await waitUntil(() => redelivered.length >= 2, 10_000, 'the two unacknowledged messages');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(redelivered.map(label).sort(), ['c8', 'c9']);
    } finally {
      await second.close();
    }
  });

  it('closes the channel of a cancelled consumer once its last acks are sent, quietly', async () => {
    // In a process of its own: a runaway close/flush loop shows only as V8 complaining on stderr.
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cancelAfterSettling, vhost.url], {
      timeout: 20_000,
    });
    assert.equal(stdout.trim(), 'cancel resolved');
    assert.equal(stderr, '');
  });
});
