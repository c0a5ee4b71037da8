import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createBus } from '@switchyard/bus';
import { connectPostgres, migrate, type SqlClient, switchyardMigrations } from '@switchyard/postgres';
import { ManagementClient, RabbitMqTransport } from '@switchyard/rabbitmq';
import { type ServiceCatalogue, SlotOperations, type SlotReconciler } from '@switchyard/slots';
import { postgresForTests, rabbitmqForTests, type TestSchema, type TestVhost } from '@switchyard/testing';
import pino from 'pino';
import { LedgerStep } from './support/ledger-step.ts';
import { type SlottedBroker, slottedBroker, waitFor } from './support/slotted-broker.ts';
import { checkLedger, createLedger, startWorker, type WorkerProcess } from './support/worker-processes.ts';

const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();
const catalogue: ServiceCatalogue = { services: { ledger: [{ name: 'ledger-work', queueType: 'classic' }] } };

describe('slots under load, in separate processes', { skip: postgres.skip || rabbitmq.skip }, () => {
  let schema: TestSchema;
  let vhost: TestVhost;
  let sql: SqlClient;
  let broker: SlottedBroker;
  let reconciler: SlotReconciler;
  const workers: WorkerProcess[] = [];

  const setUp = async () => {
    schema = await postgres.createSchema();
    vhost = await rabbitmq.createVhost();
    sql = connectPostgres({ url: schema.url, maxConnections: 4 });
    await migrate(sql, await switchyardMigrations(schema.name));
    await createLedger(sql, schema.name);
    broker = await slottedBroker(vhost, catalogue);
    await broker.writeDesired('services:\n  ledger:\n    live: blue\n');
    reconciler = broker.reconciler({
      intervalMs: 250,
      stoppedAfterMs: 1_000,
      // SLOTS_TEST_LOG=info shows what the reconciler moves and repairs, to see why a run failed.
      logger: pino({ level: process.env.SLOTS_TEST_LOG ?? 'silent' }, pino.destination(2)),
    });
    await reconciler.reconcileOnce();
    reconciler.start();
  };
  const tearDown = async () => {
    for (const worker of workers.splice(0)) await worker.stop().catch(() => {});
    await reconciler?.stop();
    await broker?.close();
    await sql?.close();
    await vhost?.delete();
    await schema?.drop();
  };
  const worker = async (slot: string, workMs = 0) => {
    const started = await startWorker({
      slot,
      rabbitmqUrl: vhost.url,
      databaseUrl: schema.url,
      schema: schema.name,
      workMs,
    });
    workers.push(started);
    return started;
  };
  const operations = () =>
    new SlotOperations({
      url: vhost.url,
      management: ManagementClient.forAmqpUrl(vhost.url),
      desiredState: broker.desiredState,
      catalogue,
      reconciler,
    });
  /** Sends the first step of each conversation, `concurrency` at a time; `onSent` hears the count. */
  const produce = async (conversations: number, steps: number, onSent: (sent: number) => Promise<void>) => {
    const producer = createBus({ transport: new RabbitMqTransport({ url: vhost.url }) });
    await producer.start();
    try {
      let next = 0;
      const lane = async () => {
        while (next < conversations) {
          const index = next++;
          await producer.send('ledger-work', LedgerStep, {
            conversation: `c-${index}`,
            step: 1,
            last: steps,
            sentAt: Date.now(),
          });
          await onSent(index + 1);
        }
      };
      await Promise.all(Array.from({ length: 16 }, lane));
    } finally {
      await producer.stop();
    }
  };

  describe('a switch from blue to green with 10,000 messages in flight', () => {
    before(setUp);
    after(tearDown);

    it('handles every message exactly once, and finishes each conversation in the slot that began it', {
      timeout: 300_000,
    }, async () => {
      await worker('blue');
      await worker('green');
      const conversations = 5_000;
      const steps = 2;
      let switched: Promise<unknown> | undefined;
      await produce(conversations, steps, async (sent) => {
        // A third of the way in, while both slots work through what is queued and in flight.
        if (sent === Math.floor(conversations / 3)) switched = operations().switchTo('ledger', 'green');
      });
      await switched;
      await waitFor(
        'every step is in the ledger',
        async () => (await checkLedger(sql, schema.name, conversations, steps)).missing === 0,
        180_000,
      );
      const check = await checkLedger(sql, schema.name, conversations, steps);
      assert.equal(check.duplicated, 0, 'none handled twice');
      assert.equal(check.split, 0, 'no conversation crossed slots');
      assert.ok((check.bySlot.blue ?? 0) > 0 && (check.bySlot.green ?? 0) > 0, JSON.stringify(check.bySlot));
      assert.equal((check.bySlot.blue ?? 0) + (check.bySlot.green ?? 0), conversations);
    });
  });

  describe('the old slot killed while it drains', () => {
    before(setUp);
    after(tearDown);

    it('hands its queued and unacknowledged messages to the live slot: none lost, none twice', {
      timeout: 300_000,
    }, async () => {
      const blue = await worker('blue', 20);
      await worker('green');
      const conversations = 2_000;
      const steps = 2;
      await produce(conversations, steps, async () => {});
      await operations().switchTo('ledger', 'green');
      await waitFor(
        'blue has a backlog and work in hand',
        async () => (await broker.depth('ledger-work@blue')) > 100,
      );
      await blue.kill();
      await waitFor(
        'every step is in the ledger',
        async () => (await checkLedger(sql, schema.name, conversations, steps)).missing === 0,
        180_000,
      );
      const check = await checkLedger(sql, schema.name, conversations, steps);
      assert.equal(check.duplicated, 0, 'none handled twice');
      assert.equal(await broker.depth('ledger-work@blue'), 0, 'nothing stranded in the killed slot');
      assert.ok(check.split > 0, 'some conversations began in blue and were finished by green');
    });
  });
});
