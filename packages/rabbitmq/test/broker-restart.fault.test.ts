import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { consumer, createBus, defineMessage, receiveEndpoint, type TransportState } from '@switchyard/bus';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import { rabbitmqForTests, restartRabbitMq, type TestVhost } from '@switchyard/testing';
import { z } from 'zod';
import { waitUntil } from '../../bus/test/contract/transport-contract.ts';

// Restarts the broker everyone shares, so this file runs alone, after the other tests (see `npm test`).
const rabbitmq = await rabbitmqForTests();
const Reading = defineMessage('switchyard.faults.MeterReading', z.object({ sequence: z.number().int() }));

describe('RabbitMQ restarted while 10,000 messages flow', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;
  before(async () => {
    vhost = await rabbitmq.createVhost();
  });
  after(async () => {
    await vhost?.delete();
  });

  it('handles every message: none lost', { timeout: 180_000 }, async () => {
    const transport = new RabbitMqTransport({
      url: vhost.url,
      reconnect: { initialDelayMs: 100, maxDelayMs: 1_000 },
      unavailableTimeoutMs: 60_000,
    });
    const handled = new Set<number>();
    let deliveries = 0;
    const bus = createBus({
      transport,
      endpoints: [
        receiveEndpoint('readings', {
          concurrency: 20,
          queueType: 'quorum',
          consumers: [
            consumer(Reading, (reading) => {
              deliveries += 1;
              handled.add(reading.sequence);
            }),
          ],
        }),
      ],
    });
    await bus.start();
    const states = new Set<TransportState>();
    const watch = setInterval(() => states.add(transport.health().state), 10);
    const total = 10_000;
    let publishRetries = 0;
    let next = 0;
    const publisher = async () => {
      while (next < total) {
        const sequence = next++;
        for (;;) {
          try {
            await bus.publish(Reading, { sequence });
            break;
          } catch {
            publishRetries += 1; // the confirm was lost with the connection: send it again
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
      }
    };
    try {
      const publishing = Promise.all(Array.from({ length: 20 }, publisher));
      await waitUntil(() => handled.size >= 2_000, 60_000, '2,000 messages before the restart');
      await restartRabbitMq(1_000);
      await publishing;
      await waitUntil(() => handled.size === total, 90_000, 'every message handled');

      assert.equal(handled.size, total, 'none lost');
      assert.ok(states.has('reconnecting'), `the restart was seen (states: ${[...states].join(', ')})`);
      process.stdout.write(
        `broker restart: ${total} messages, ${deliveries - total} handled twice (at least once), ${publishRetries} publishes sent again\n`,
      );
    } finally {
      clearInterval(watch);
      await bus.stop({ deadlineMs: 10_000 });
    }
  });
});
