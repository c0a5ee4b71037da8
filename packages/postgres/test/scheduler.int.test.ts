import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ScheduledMessage, uuidv7 } from '@switchyard/bus';
import {
  connectPostgres,
  migrate,
  notifyChannel,
  openPglite,
  PostgresScheduler,
  qualified,
  type SqlClient,
  switchyardMigrations,
} from '@switchyard/postgres';
import { postgresForTests } from '@switchyard/testing';
import { schedulerContract } from '../../bus/test/contract/scheduler-contract.ts';
import { waitUntil } from '../../bus/test/contract/transport-contract.ts';
import {
  type DatabaseUnderTest,
  databasesUnderTest,
  type FreshStore,
  manualClock,
} from './support/databases.ts';

/** Short enough for the contract's moved clocks to be noticed within a few tens of milliseconds. */
const pollIntervalMs = 15;
/** Long enough for a poller to have looked several times. */
const quietMs = 200;

for (const database of await databasesUnderTest()) {
  if (database.skip) {
    it(`Scheduler contract: ${database.name}`, { skip: database.skip }, () => {});
    continue;
  }

  schedulerContract(database.name, async () => {
    const store = await database.fresh();
    const clock = manualClock();
    const processOn = (client: SqlClient) => ({
      database: client,
      scheduler: new PostgresScheduler(client, { schema: store.schema, now: clock.now, pollIntervalMs }),
    });
    return {
      ...processOn(store.client),
      connect: async () => processOn(await store.connect()),
      clock,
      dispose: () => store.dispose(),
    };
  });

  describe(`PostgresScheduler on ${database.name}`, () => {
    let store: FreshStore;
    let clock: ReturnType<typeof manualClock>;
    let started: PostgresScheduler[];
    const schedulerOn = (client: SqlClient, options: { pollIntervalMs?: number; leaseMs?: number } = {}) =>
      new PostgresScheduler(client, { schema: store.schema, now: clock.now, pollIntervalMs, ...options });
    const start = async (
      scheduler: PostgresScheduler,
      deliver: (message: ScheduledMessage) => Promise<void>,
    ) => {
      await scheduler.start(deliver);
      started.push(scheduler);
    };

    beforeEach(async () => {
      store = await database.fresh();
      clock = manualClock();
      started = [];
    });
    afterEach(async () => {
      for (const scheduler of started) await scheduler.stop();
      await store.dispose();
    });

    it('answers false to cancelling a message while its delivery is in progress, and removes it after', async () => {
      const scheduler = schedulerOn(store.client);
      const message = scheduled('in flight', new Date(clock.now()));
      await scheduler.schedule(message);
      const gate = Promise.withResolvers<void>();
      const fired: string[] = [];
      await start(scheduler, async (each) => {
        fired.push(each.id);
        await gate.promise;
      });
      try {
        await waitUntil(() => fired.length > 0, 10_000, 'the delivery to begin');
        assert.equal(await scheduler.cancel(message.id), false);
        const other = schedulerOn(await store.connect());
        assert.equal(await other.cancel(message.id), false, 'another process cannot cancel it either');
      } finally {
        gate.resolve();
      }
      await waitForPending(scheduler, 0);
      assert.deepEqual(fired, [message.id]);
    });

    it('wakes a sleeping poller through NOTIFY, and only once the scheduling transaction committed', async () => {
      const sleeper = schedulerOn(store.client, { pollIntervalMs: 60_000 });
      const fired: string[] = [];
      await start(sleeper, async (each) => {
        fired.push(each.id);
      });
      await sleep(quietMs);

      const other = schedulerOn(await store.connect());
      const message = scheduled('wake up', new Date(clock.now()));
      await store.client.transaction(async (tx) => {
        await other.schedule(message, tx);
        await sleep(quietMs);
        assert.deepEqual(fired, [], 'woken before the transaction committed');
      });
      await waitUntil(() => fired.length > 0, 5_000, 'the notified poller to fire the message');
      assert.deepEqual(fired, [message.id]);
    });

    it('fires again, on another process, a message whose claimer died before its lease ran out', async () => {
      const scheduler = schedulerOn(store.client);
      const message = scheduled('orphan', new Date(clock.now()));
      await scheduler.schedule(message);
      // What a process that claimed the row and then died leaves behind: a live lease nobody renews.
      await store.client.query(
        `update ${qualified(store.schema, 'yard_scheduled')}
         set lease_until = $2, claim_token = $3, attempts = 1 where id = $1`,
        [message.id, new Date(clock.now() + 30_000), randomUUID()],
      );
      const fired: string[] = [];
      await start(schedulerOn(await store.connect()), async (each) => {
        fired.push(each.id);
      });

      await sleep(quietMs);
      assert.deepEqual(fired, [], 'fired while the lease was live');
      assert.equal(await scheduler.cancel(message.id), false, 'cancelled while held');
      clock.advance(30_000);
      await waitUntil(() => fired.length > 0, 10_000, 'the orphaned message');
      await waitForPending(scheduler, 0);
      assert.deepEqual(fired, [message.id]);
    });

    it('keeps a schedule across a restart: a new client and scheduler on the same schema fire it', async () => {
      await restarted(database, store, async (open) => {
        const message = scheduled('durable', new Date(clock.now() + 1_000));
        const before = await open();
        await schedulerOn(before).schedule(message);
        await before.close();

        const after = await open();
        try {
          const scheduler = schedulerOn(after);
          assert.deepEqual(
            (await scheduler.pending()).map((each) => each.id),
            [message.id],
          );
          const fired: ScheduledMessage[] = [];
          await scheduler.start(async (each) => {
            fired.push(each);
          });
          try {
            clock.advance(1_000);
            await waitUntil(() => fired.length > 0, 10_000, 'the message after the restart');
            await waitForPending(scheduler, 0);
          } finally {
            await scheduler.stop();
          }
          assert.deepEqual(
            fired.map((each) => Buffer.from(each.outgoing.message.body).toString()),
            ['durable'],
          );
        } finally {
          await after.close();
        }
      });
    });
  });
}

describe('PostgresScheduler options', () => {
  it('refuses out-of-range settings, naming the option and the value', () => {
    const client = {} as SqlClient;
    assert.throws(() => new PostgresScheduler(client, { pollIntervalMs: 0 }), /pollIntervalMs .* not 0/);
    assert.throws(() => new PostgresScheduler(client, { leaseMs: 100 }), /leaseMs .* not 100/);
    assert.throws(() => new PostgresScheduler(client, { batchSize: 1.5 }), /batchSize .* not 1.5/);
    assert.throws(
      () => new PostgresScheduler(client, { retryDelayMs: 5_000, maxRetryDelayMs: 1_000 }),
      /maxRetryDelayMs .* at least 5000, not 1000/,
    );
  });

  it('names a NOTIFY channel PGlite can LISTEN to unquoted, one per schema', () => {
    assert.equal(notifyChannel('yard_scheduled_', 'switchyard'), 'yard_scheduled_switchyard');
    const awkward = notifyChannel('yard_scheduled_', 'Orders "EU"');
    assert.match(awkward, /^yard_scheduled_[0-9a-f]{32}$/);
    assert.equal(notifyChannel('yard_scheduled_', 'Orders "EU"'), awkward);
    assert.notEqual(notifyChannel('yard_scheduled_', 'Orders "US"'), awkward);
    assert.match(notifyChannel('yard_scheduled_', 's'.repeat(63)), /^yard_scheduled_[0-9a-f]{32}$/);
  });
});

/**
 * Runs `work` with a way to open a client on a database that outlives the clients: a new pool on the
 * fresh schema's server for PostgreSQL; for PGlite, which lives in this process, a database in a
 * temporary folder (migrated into the fresh store's schema name) opened anew each time.
 */
async function restarted(
  database: DatabaseUnderTest,
  store: FreshStore,
  work: (open: () => Promise<SqlClient>) => Promise<void>,
): Promise<void> {
  if (database.name === 'PostgreSQL') {
    const { url } = await postgresForTests();
    await work(async () => connectPostgres({ url, maxConnections: 2 }));
    return;
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'yard-scheduler-'));
  try {
    const setup = await openPglite({ dataDir });
    await migrate(setup, await switchyardMigrations(store.schema));
    await setup.close();
    await work(() => openPglite({ dataDir }));
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

function scheduled(text: string, dueAt: Date): ScheduledMessage {
  return {
    id: uuidv7(),
    dueAt,
    outgoing: {
      kind: 'send',
      destination: 'scheduler-tests',
      message: {
        messageId: uuidv7(),
        contentType: 'text/plain',
        body: Buffer.from(text),
        headers: { label: text },
      },
    },
  };
}

async function waitForPending(scheduler: PostgresScheduler, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const pending = await scheduler.pending();
    if (pending.length === count) return;
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${count} pending, have ${pending.length}`);
    await sleep(10);
  }
}
