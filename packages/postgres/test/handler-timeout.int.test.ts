import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  consumer,
  createBus,
  defineMessage,
  HandlerTimeoutError,
  receiveEndpoint,
  transactional,
  transactionOf,
} from '@switchyard/bus';
import { PostgresTransport, SqlError, type SqlTransaction, sqlStates } from '@switchyard/postgres';
import { z } from 'zod';
import { waitUntil } from '../../bus/test/contract/transport-contract.ts';
import { databasesUnderTest } from './support/databases.ts';
import { lockTable, waitingOnLocks } from './support/table-locks.ts';

const BookDelivery = defineMessage('Milkround.Deliveries.BookDelivery', z.object({ orderId: z.string() }));

const postgres = (await databasesUnderTest()).find((database) => database.name === 'PostgreSQL');

describe('a transactional consumer past its timeout on PostgreSQL', { skip: postgres?.skip }, () => {
  it('has its blocked statement cancelled and rolled back; after the lock is released the row is written once', async () => {
    const store = await (postgres as NonNullable<typeof postgres>).fresh();
    const table = `${store.schema}.deliveries`;
    // No key: were two attempts ever to commit, both rows would show.
    await store.client.exec(`create table ${table} (order_id text not null, attempt integer not null)`);
    const transport = new PostgresTransport(store.client, { schema: store.schema, pollIntervalMs: 100 });
    const failures: unknown[] = [];
    const timeouts: unknown[] = [];
    let consumedOn: number | undefined;
    const bus = createBus({
      transport,
      observers: [
        {
          consumed: (context) => {
            consumedOn = context.attempt;
          },
        },
      ],
      endpoints: [
        receiveEndpoint('deliveries', {
          timeoutMs: 300,
          // Long enough between attempts to look at the server while none is running.
          retry: { immediate: { limit: 20, intervalsMs: [600] } },
          middleware: [transactional({ transactions: store.client, sends: transport })],
          consumers: [
            consumer(BookDelivery, async (message, context) => {
              context.signal.addEventListener('abort', () => timeouts.push(context.signal.reason), {
                once: true,
              });
              const tx = transactionOf<SqlTransaction>(context);
              await tx
                .query(`insert into ${table} values ($1, $2)`, [message.orderId, context.attempt])
                .catch((error: unknown) => {
                  failures.push(error);
                  throw error;
                });
            }),
          ],
        }),
      ],
    });

    const lock = await lockTable(store, table);

    try {
      await bus.start();
      await bus.send('queue:deliveries', BookDelivery, { orderId: 'o-1' });

      await waitUntil(() => failures.length > 0, 5_000, 'the blocked insert to fail while the lock is held');
      const [cancelled] = failures;
      assert.ok(cancelled instanceof SqlError, `expected a SqlError, got ${String(cancelled)}`);
      assert.equal(cancelled.sqlState, sqlStates.queryCanceled, 'cancelled on the server');
      assert.ok(timeouts[0] instanceof HandlerTimeoutError);
      assert.equal(
        await waitingOnLocks(store.client, `insert into ${table}`),
        0,
        'no insert waits on the lock any more',
      );

      // The next attempt meets the lock too, and is cancelled the same way.
      await waitUntil(() => failures.length > 1, 5_000, 'the second attempt to be cancelled');
      await lock.release();
      await waitUntil(() => consumedOn !== undefined, 10_000, 'the message to be consumed after the release');
      assert.equal(consumedOn, failures.length + 1, 'consumed by the attempt after the cancelled ones');
      await bus.stop({ deadlineMs: 2_000 });

      const written = await store.client.query(`select order_id, attempt from ${table}`);
      assert.deepEqual(
        written.rows,
        [{ order_id: 'o-1', attempt: consumedOn }],
        'one row, from that attempt',
      );
    } finally {
      await lock.release().catch(() => {});
      await bus.stop({ deadlineMs: 2_000 });
      await store.dispose();
    }
  });
});
