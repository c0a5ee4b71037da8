import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BrokerUnavailableError,
  ErrorQueueRetryFailedError,
  ErrorQueueTools,
  PublishUnconfirmedError,
  RabbitMqTransport,
} from '@switchyard/rabbitmq';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import amqp from 'amqplib';
import { waitUntil } from '../../bus/test/contract/transport-contract.ts';
import { type MemoryWatermark, readMemoryWatermark, setMemoryWatermark } from './support/memory-alarm.ts';
import { textMessage } from './support/text-message.ts';

// Raises the memory alarm of the broker everyone shares, blocking every publisher on it: this file
// runs alone, after the other tests (see `npm run test:faults`), and always restores the watermark.
const rabbitmq = await rabbitmqForTests();

async function outcome(work: Promise<void>) {
  const started = Date.now();
  try {
    await work;
    return { ok: true as const, ms: Date.now() - started };
  } catch (error) {
    return { ok: false as const, error, ms: Date.now() - started };
  }
}

describe('RabbitMQ blocking publishers (memory alarm)', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;
  let watermark: MemoryWatermark | undefined;
  before(async () => {
    vhost = await rabbitmq.createVhost();
    watermark = await readMemoryWatermark();
  });
  after(async () => {
    if (watermark) await setMemoryWatermark(watermark);
    await vhost?.delete();
  });

  it('holds publishes within the bound, reports blocked, and loses nothing', {
    timeout: 120_000,
  }, async () => {
    const unavailableTimeoutMs = 3_000;
    const transport = new RabbitMqTransport({
      url: vhost.url,
      unavailableTimeoutMs,
      confirmTimeoutMs: 3_000,
    });
    const confirmed = new Set<string>();
    const send = async (id: string) => {
      await transport.send('ledger', textMessage(id));
      confirmed.add(id);
    };
    await transport.start();
    const tools = new ErrorQueueTools({ url: vhost.url, commitTimeoutMs: 2_000 });
    const setup = await amqp.connect(vhost.url);
    try {
      const channel = await setup.createConfirmChannel();
      await channel.assertQueue('payouts_error', { durable: true });
      await channel.assertQueue('payouts', { durable: true });
      channel.sendToQueue('payouts_error', Buffer.from('p-1'), { persistent: true, messageId: 'p-1' });
      await channel.waitForConfirms();
    } finally {
      await setup.close();
    }
    try {
      await send('before');
      const alarmAt = Date.now();
      let safety: NodeJS.Timeout | undefined;
      try {
        await setMemoryWatermark(['0.0000001']);
        // Whatever happens below, other tests' publishers are not blocked for long.
        safety = setTimeout(() => {
          if (watermark) void setMemoryWatermark(watermark);
        }, 30_000);
        // RabbitMQ 3.10 blocks a connection, and says so, when it next publishes: this publish is the
        // one the broker stops reading at. It fails within confirmTimeoutMs, or is confirmed.
        const probe = outcome(send('probe'));
        await waitUntil(
          () => transport.health().state === 'blocked',
          20_000,
          'the transport to see the block',
        );
        const blockedAfterMs = Date.now() - alarmAt;
        assert.match(transport.health().detail ?? '', /RabbitMQ blocked publishing: low on memory/);
        const probed = await probe;
        if (!probed.ok) {
          assert.ok(probed.error instanceof PublishUnconfirmedError, String(probed.error));
          assert.match(String(probed.error), /within 3000ms \(it blocked publishing: low on memory\)/);
          assert.ok(probed.ms < 3_000 + 1_000, `${probed.ms}ms`);
        }

        const refused = await outcome(send('during-1'));
        assert.equal(refused.ok, false, 'a publish while blocked does not succeed');
        assert.ok(
          !refused.ok && refused.error instanceof BrokerUnavailableError,
          String(!refused.ok && refused.error),
        );
        assert.match(
          String(!refused.ok && refused.error),
          /blocked publishing for 3000ms \(low on memory\); nothing was sent/,
        );
        assert.ok(
          refused.ms >= unavailableTimeoutMs - 50 && refused.ms < unavailableTimeoutMs + 1_000,
          `${refused.ms}ms`,
        );

        // An error queue retry fails within its commit timeout, naming the block, instead of hanging.
        const retry = await outcome(tools.retry('payouts_error').then(() => {}));
        assert.ok(
          !retry.ok && retry.error instanceof ErrorQueueRetryFailedError,
          String(!retry.ok && retry.error),
        );
        assert.match(String(!retry.ok && retry.error), /no answer within 2000ms/);
        assert.ok(retry.ms < 2_000 + 1_000, `${retry.ms}ms`);

        // One that starts while blocked and sees the block lift in time goes through.
        const waiting = outcome(send('during-2'));
        await new Promise((resolve) => setTimeout(resolve, 500));
        const unblockAt = Date.now();
        if (watermark) await setMemoryWatermark(watermark);
        const released = await waiting;
        assert.ok(released.ok, `released by the unblock: ${!released.ok && String(released.error)}`);
        await waitUntil(() => transport.health().state === 'connected', 20_000, 'health to recover');
        process.stdout.write(
          `blocked broker: health said blocked ${blockedAfterMs}ms after the alarm; the publish that met it ${probed.ok ? 'was confirmed' : 'timed out'} after ${probed.ms}ms; a held publish went through ${Date.now() - unblockAt}ms after the unblock, having waited ${released.ms}ms\n`,
        );
      } finally {
        clearTimeout(safety);
        if (watermark) await setMemoryWatermark(watermark);
      }
      await send('during-1'); // its caller was told it failed, and sends it again
      if (!confirmed.has('probe')) await send('probe');
      await send('after');
    } finally {
      await transport.close();
      await tools.close();
    }

    const connection = await amqp.connect(vhost.url);
    try {
      const channel = await connection.createChannel();
      const inQueue: string[] = [];
      for (
        let got = await channel.get('ledger', { noAck: true });
        got;
        got = await channel.get('ledger', { noAck: true })
      ) {
        inQueue.push(String(got.properties.messageId));
      }
      assert.deepEqual(
        [...confirmed].filter((id) => !inQueue.includes(id)),
        [],
        'every confirmed message is in the queue',
      );
      assert.deepEqual([...confirmed].sort(), ['after', 'before', 'during-1', 'during-2', 'probe']);
      const duplicates = inQueue.length - new Set(inQueue).size;

      // The retry that timed out left p-1 in the error queue, and perhaps (read once the broker
      // unblocked) one copy in its source queue; a retry now moves it.
      const copiesBefore = (await channel.checkQueue('payouts')).messageCount;
      assert.equal(
        (await channel.checkQueue('payouts_error')).messageCount,
        1,
        'p-1 stayed in the error queue',
      );
      assert.ok(copiesBefore <= 1, `at most one copy in the source queue: ${copiesBefore}`);
      const again = new ErrorQueueTools({ url: vhost.url });
      try {
        assert.deepEqual(await again.retry('payouts_error'), { moved: 1, notMoved: [] });
      } finally {
        await again.close();
      }
      assert.equal((await channel.checkQueue('payouts')).messageCount, copiesBefore + 1);
      process.stdout.write(
        `blocked broker: ${inQueue.length} messages in the queue for ${confirmed.size} confirmed (${duplicates} duplicates); the timed-out error queue retry left ${copiesBefore} copy in the source queue\n`,
      );
    } finally {
      await connection.close();
    }
  });
});
