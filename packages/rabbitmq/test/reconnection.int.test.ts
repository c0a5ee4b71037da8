import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { consumer, createBus, defineMessage, receiveEndpoint, type TransportState } from '@switchyard/bus';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import {
  rabbitmqForTests,
  runUntilExit,
  startTcpProxy,
  type TcpProxy,
  type TestVhost,
} from '@switchyard/testing';
import { z } from 'zod';

const rabbitmq = await rabbitmqForTests();
const closeWhileReconnecting = join(
  dirname(fileURLToPath(import.meta.url)),
  'fixtures',
  'close-while-reconnecting.ts',
);
const Reading = defineMessage('switchyard.tests.MeterReading', z.object({ sequence: z.number().int() }));

describe('RabbitMQ transport across a lost connection', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;
  let proxy: TcpProxy;

  before(async () => {
    vhost = await rabbitmq.createVhost();
    const broker = new URL(vhost.url);
    proxy = await startTcpProxy({ host: broker.hostname, port: Number(broker.port || 5672) });
  });
  after(async () => {
    await proxy?.close();
    await vhost?.delete();
  });

  it('reconnects, resumes consuming and loses no message when the network drops mid-stream', async () => {
    const url = new URL(vhost.url);
    url.port = String(proxy.port);
    const transport = new RabbitMqTransport({
      url: url.toString(),
      reconnect: { initialDelayMs: 50, maxDelayMs: 400 },
      unavailableTimeoutMs: 20_000,
    });
    const handled = new Map<number, number>();
    const bus = createBus({
      transport,
      endpoints: [
        receiveEndpoint('meter-readings', {
          concurrency: 4,
          consumers: [
            consumer(
              Reading,
              (reading) => void handled.set(reading.sequence, (handled.get(reading.sequence) ?? 0) + 1),
            ),
          ],
        }),
      ],
    });
    await bus.start();
    const states = new Set<TransportState>();
    const watch = setInterval(() => states.add(transport.health().state), 5);
    const total = 600;
    let publishErrors = 0;
    try {
      for (let sequence = 0; sequence < total; sequence++) {
        if (sequence === 200) {
          proxy.block();
          proxy.cut();
          setTimeout(() => proxy.restore(), 800);
        }
        // A publish whose confirm was lost with the connection fails; the caller sends it again.
        for (;;) {
          try {
            await bus.publish(Reading, { sequence });
            break;
          } catch {
            publishErrors += 1;
          }
        }
      }
      const deadline = Date.now() + 20_000;
      while (handled.size < total && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));

      const missing = Array.from({ length: total }, (_, sequence) => sequence).filter(
        (sequence) => !handled.has(sequence),
      );
      assert.deepEqual(missing, [], 'no message lost');
      assert.ok(states.has('reconnecting'), `the outage was seen (states: ${[...states].join(', ')})`);
      assert.equal(transport.health().state, 'connected');
      assert.ok(publishErrors <= 5, `only publishes in flight at the cut failed (${publishErrors})`);
    } finally {
      clearInterval(watch);
      await bus.stop({ deadlineMs: 5_000 });
    }
  });

  for (const moment of ['during-backoff', 'during-attempt'] as const) {
    it(`leaves nothing running once closed while it reconnects (${moment}), so its process can exit`, async () => {
      const exit = await runUntilExit(closeWhileReconnecting, [vhost.url, moment], { killAfterMs: 10_000 });
      assert.equal(exit.output, 'closed\n');
      // A connection opened after the close would keep it alive until the kill.
      assert.deepEqual([exit.code, exit.signal], [0, null], 'the process exited by itself');
      // A backoff timer left running would hold it for seconds; an attempt under way ends within 1 s.
      assert.ok(exit.exitedAfterOutputMs < 2_000, `it exited ${exit.exitedAfterOutputMs} ms after the close`);
    });
  }

  it('fails a publish clearly when the broker stays unreachable past the limit', async () => {
    const url = new URL(vhost.url);
    url.port = String(proxy.port);
    const transport = new RabbitMqTransport({
      url: url.toString(),
      reconnect: { initialDelayMs: 50, maxDelayMs: 100 },
      unavailableTimeoutMs: 300,
    });
    await transport.start();
    try {
      proxy.block();
      proxy.cut();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await assert.rejects(
        transport.publish('switchyard.tests:Nothing', {
          messageId: 'm-1',
          contentType: 'text/plain',
          body: Buffer.from('x'),
          headers: {},
        }),
        (error: unknown) =>
          error instanceof Error &&
          'code' in error &&
          error.code === 'BROKER_UNAVAILABLE' &&
          /unreachable for 300ms/.test(error.message),
      );
    } finally {
      proxy.restore();
      await transport.close();
    }
  });
});
