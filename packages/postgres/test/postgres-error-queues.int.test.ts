import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { type Bus, consumer, createBus, defineMessage, receiveEndpoint } from '@switchyard/bus';
import { PostgresErrorQueues, PostgresTransport } from '@switchyard/postgres';
import { z } from 'zod';
import { waitUntil } from '../../bus/test/contract/transport-contract.ts';
import { databasesUnderTest, type FreshStore } from './support/databases.ts';
import { queuedRowsOnceAny } from './support/queue-rows.ts';

const Refund = defineMessage('Milkround.Billing.Refund', z.object({ refundId: z.string() }));

for (const database of await databasesUnderTest()) {
  describe(`error queues of the PostgreSQL transport (${database.name})`, { skip: database.skip }, () => {
    let store: FreshStore;
    let bus: Bus;
    let failing = true;
    const handled: string[] = [];

    beforeEach(async () => {
      store = await database.fresh();
      failing = true;
      handled.length = 0;
      bus = createBus({
        transport: new PostgresTransport(store.client, { schema: store.schema, pollIntervalMs: 50 }),
        endpoints: [
          receiveEndpoint('refunds', {
            retry: { immediate: { limit: 0 } },
            consumers: [
              consumer(Refund, (refund) => {
                if (failing) throw new Error(`payment provider refused ${refund.refundId}`);
                handled.push(refund.refundId);
              }),
            ],
          }),
        ],
      });
      await bus.start();
    });

    afterEach(async () => {
      await bus.stop();
      await store.dispose();
    });

    const tools = () => new PostgresErrorQueues(store.client, { schema: store.schema });

    it('lists and shows failed messages with their fault, and moves them back on retry', async () => {
      await bus.send(
        'queue:refunds',
        Refund,
        { refundId: 'r-1' },
        { messageId: '0199a2b4-0000-7000-8000-000000000001' },
      );
      await bus.send(
        'queue:refunds',
        Refund,
        { refundId: 'r-2' },
        { messageId: '0199a2b4-0000-7000-8000-000000000002' },
      );
      await waitUntilDepth(store, 'refunds_error', 2);
      const listed = await tools().list('refunds_error');
      // Both failed at once on concurrent consumers, so their order in the error queue may vary.
      assert.deepEqual(listed.map((each) => [each.sourceQueue, each.fault.message]).sort(), [
        ['refunds', 'payment provider refused r-1'],
        ['refunds', 'payment provider refused r-2'],
      ]);
      const shown = await tools().show('refunds_error', '0199a2b4-0000-7000-8000-000000000002');
      assert.equal(shown?.fault.exceptionType, 'Error');

      failing = false;
      assert.deepEqual(await tools().retry('refunds_error', ['0199a2b4-0000-7000-8000-000000000001']), {
        moved: 1,
        notMoved: [],
      });
      await waitUntil(() => handled.includes('r-1'), 5_000, 'r-1 handled after its retry');
      assert.deepEqual(
        (await tools().list('refunds_error')).map((each) => each.messageId),
        ['0199a2b4-0000-7000-8000-000000000002'],
      );
      assert.deepEqual(await tools().retry('refunds_error'), { moved: 1, notMoved: [] });
      await waitUntil(() => handled.includes('r-2'), 5_000, 'r-2 handled after retry all');
      assert.deepEqual(handled, ['r-1', 'r-2'], 'each handled once, in the order retried');
    });

    it('keeps a message whose source queue no longer exists in the error queue, and says why', async () => {
      await bus.send(
        'queue:refunds',
        Refund,
        { refundId: 'r-4' },
        { messageId: '0199a2b4-0000-7000-8000-000000000004' },
      );
      await waitUntilDepth(store, 'refunds_error', 1);
      // The endpoint was renamed: its old queue is gone.
      await bus.stop();
      await store.client.query(`delete from "${store.schema}".yard_queues where name = 'refunds'`);

      const result = await tools().retry('refunds_error');

      assert.deepEqual(
        (await tools().list('refunds_error')).map((each) => each.messageId),
        ['0199a2b4-0000-7000-8000-000000000004'],
        'the message stays in the error queue',
      );
      assert.deepEqual(result, {
        moved: 0,
        notMoved: [
          {
            messageId: '0199a2b4-0000-7000-8000-000000000004',
            sourceQueue: 'refunds',
            reason: 'source queue "refunds" does not exist',
          },
        ],
      });
    });

    it('purges an error queue and says how many it removed', async () => {
      await bus.send('queue:refunds', Refund, { refundId: 'r-3' });
      await waitUntilDepth(store, 'refunds_error', 1);
      assert.equal(await tools().purge('refunds_error'), 1);
      assert.deepEqual(await tools().list('refunds_error'), []);
    });
  });
}

async function waitUntilDepth(store: FreshStore, queue: string, depth: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while ((await queuedRowsOnceAny(store.client, store.schema, queue, 50)).length < depth) {
    if (Date.now() > deadline) throw new Error(`${queue} did not reach ${depth} messages`);
  }
}
