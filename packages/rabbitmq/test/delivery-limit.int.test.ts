import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildTopology, createBus, type Delivery, defineMessage, transportHeaders } from '@switchyard/bus';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import { z } from 'zod';
import { runCrashLoop } from '../../bus/test/support/crash-loop.ts';

const rabbitmq = await rabbitmqForTests();
const crashingChild = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'crash-on-message.ts');
const Poison = defineMessage('switchyard.tests.Poison', z.object({ id: z.string() }));

for (const queueType of ['quorum', 'classic'] as const) {
  describe(`a message whose consumer kills the process, on a RabbitMQ ${queueType} queue`, {
    skip: rabbitmq.skip,
  }, () => {
    let vhost: TestVhost;
    before(async () => {
      vhost = await rabbitmq.createVhost();
    });
    after(async () => {
      await vhost?.delete();
    });

    it('is delivered up to the delivery limit, then moved to the error queue with the reason', {
      timeout: 60_000,
    }, async () => {
      const transport = new RabbitMqTransport({ url: vhost.url });
      await transport.start();
      const errors: Delivery[] = [];
      try {
        // The topology the consumer processes declare.
        await transport.deploy(buildTopology([{ name: 'poisoned', subscribes: [], queueType }]));
        await transport.consume('poisoned_error', { prefetch: 1 }, (delivery) => errors.push(delivery));
        await transport.send('poisoned', await encodedPoison());

        const limit = 2;
        const loop = await runCrashLoop(
          crashingChild,
          [vhost.url, 'poisoned', String(limit), queueType],
          async () => errors.length > 0,
          limit + 3,
        );
        assert.equal(loop.crashes, limit, `the consumer ran ${limit} times, and was not stopped earlier`);
        assert.ok(loop.lastSurvived);
        const [moved] = errors;
        assert.equal(
          moved?.message.headers[transportHeaders.faultExceptionType],
          'DeliveryLimitExceededError',
        );
        assert.match(
          String(moved?.message.headers[transportHeaders.faultMessage]),
          /delivered 2 times without being settled; the consumer may be crashing the process/,
        );
        assert.equal(moved?.message.headers[transportHeaders.unsettledDeliveries], undefined);
        await moved?.ack();
      } finally {
        await transport.close();
      }
    });
  });
}

/** A Poison message as a bus encodes it, taken from a bus on the in-memory transport. */
async function encodedPoison() {
  const { MemoryTransport } = await import('@switchyard/bus');
  const memory = new MemoryTransport();
  const bus = createBus({ transport: memory });
  await bus.start();
  await bus.send('queue:poisoned', Poison, { id: 'p-1' });
  const [queued] = memory.broker.queue('poisoned')?.peek() ?? [];
  await bus.stop();
  if (!queued) throw new Error('The in-memory bus did not queue the message');
  return queued.message;
}
