import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TransportMessage } from '@switchyard/bus';
import {
  BrokerUnavailableError,
  PublishRejectedError,
  PublishUnconfirmedError,
  RabbitMqTransport,
} from '@switchyard/rabbitmq';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import amqp from 'amqplib';
import { startFreezableProxy, throughPort } from './support/freezable-proxy.ts';

const rabbitmq = await rabbitmqForTests();

const message = (id: string): TransportMessage => ({
  messageId: id,
  contentType: 'application/octet-stream',
  body: Buffer.from(id),
  headers: {},
});

/** Message ids in `queue`, taken out of it. */
async function drain(url: string, queue: string): Promise<string[]> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    const ids: string[] = [];
    for (;;) {
      const got = await channel.get(queue, { noAck: true });
      if (!got) return ids;
      ids.push(String(got.properties.messageId));
    }
  } finally {
    await connection.close();
  }
}

/** How a publish ended, and when. */
async function outcome(work: Promise<void>, started = Date.now()) {
  try {
    await work;
    return { ok: true as const, ms: Date.now() - started };
  } catch (error) {
    return { ok: false as const, error, ms: Date.now() - started };
  }
}

describe('bounds on a publish the broker does not answer', { skip: rabbitmq.skip, timeout: 60_000 }, () => {
  let vhost: TestVhost;
  let broker: { host: string; port: number };
  before(async () => {
    vhost = await rabbitmq.createVhost();
    const url = new URL(vhost.url);
    broker = { host: url.hostname, port: Number(url.port || 5672) };
  });
  after(async () => {
    await vhost?.delete();
  });

  it('fails a publish whose confirm does not come within confirmTimeoutMs; a resend gives at most a duplicate', async () => {
    const proxy = await startFreezableProxy(broker);
    const transport = new RabbitMqTransport({
      url: throughPort(vhost.url, proxy.port),
      confirmTimeoutMs: 500,
    });
    try {
      await transport.start();
      await transport.send('stalled', message('m-1'));
      proxy.freeze();
      const stalled = await outcome(transport.send('stalled', message('m-2')));
      assert.equal(stalled.ok, false);
      assert.ok(
        !stalled.ok && stalled.error instanceof PublishUnconfirmedError,
        String(!stalled.ok && stalled.error),
      );
      assert.match(
        String(!stalled.ok && stalled.error),
        /did not confirm message m-2 to exchange "stalled" within 500ms/,
      );
      assert.ok(stalled.ms >= 450 && stalled.ms < 2_000, `failed after ${stalled.ms}ms`);
      proxy.thaw();
      await transport.send('stalled', message('m-2')); // the caller sends it again, as the outbox does
      const ids = (await drain(vhost.url, 'stalled')).sort();
      assert.ok(ids.includes('m-1') && ids.includes('m-2'), `nothing lost: ${ids.join(', ')}`);
      assert.ok(ids.filter((id) => id === 'm-2').length <= 2, 'at most one extra copy');
    } finally {
      proxy.thaw(); // a close waits for the broker's close-ok
      await transport.close();
      await proxy.close();
    }
  });

  it('holds publishes once the write buffer is full, failing them within unavailableTimeoutMs unsent', async () => {
    const proxy = await startFreezableProxy(broker);
    const transport = new RabbitMqTransport({
      url: throughPort(vhost.url, proxy.port),
      confirmTimeoutMs: 1_000,
      unavailableTimeoutMs: 1_000,
    });
    try {
      await transport.start();
      await transport.send('flooded', message('warm-up'));
      proxy.freeze();
      // amqplib's per-channel buffer says "full" after about 2,048 frames it could not hand to the
      // socket. First fill the kernel buffers between here and the frozen proxy (tens of MiB on
      // loopback) with 1 MiB messages sharing one body, then send small ones past that count, all in
      // one turn, as a busy outbox would.
      const body = Buffer.alloc(1 << 20, 'b');
      const big = Array.from({ length: 60 }, (_, index) => `big-${index}`);
      const small = Array.from({ length: 3_000 }, (_, index) => `small-${index}`);
      const ids = [...big, ...small];
      const started = Date.now();
      const results = await Promise.all([
        ...big.map((id) => outcome(transport.send('flooded', { ...message(id), body }), started)),
        ...small.map((id) => outcome(transport.send('flooded', message(id)), started)),
      ]);
      const held = results.filter(
        (each) =>
          !each.ok && each.error instanceof BrokerUnavailableError && /write buffer/.test(String(each.error)),
      );
      assert.ok(held.length > 0, 'later publishes were held, not written into an unbounded buffer');
      for (const each of results) {
        assert.equal(each.ok, false);
        assert.ok(each.ms < 3_000, `every publish ended within the bound (${each.ms}ms)`);
        assert.ok(
          !each.ok &&
            (each.error instanceof BrokerUnavailableError ||
              each.error instanceof PublishUnconfirmedError ||
              each.error instanceof PublishRejectedError),
        );
      }
      proxy.thaw();
      // Every caller was told its publish failed; each sends again, as the outbox does, until it is
      // through (the buffers written before the freeze may take a while to drain on a busy machine).
      const resendUntilThrough = async (id: string) => {
        for (const deadline = Date.now() + 60_000; ; ) {
          try {
            return await transport.send('flooded', message(id));
          } catch (error) {
            if (Date.now() > deadline) throw error;
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        }
      };
      for (let start = 0; start < ids.length; start += 500) {
        await Promise.all(ids.slice(start, start + 500).map(resendUntilThrough));
      }
      const arrived = new Set(await drain(vhost.url, 'flooded'));
      assert.deepEqual(
        ids.filter((id) => !arrived.has(id)),
        [],
      );
    } finally {
      proxy.thaw(); // a close waits for the broker's close-ok
      await transport.close();
      await proxy.close();
    }
  });
});
