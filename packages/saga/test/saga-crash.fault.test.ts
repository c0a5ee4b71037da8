import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createBus, uuidv7 } from '@switchyard/bus';
import { connectPostgres, migrate, PostgresSagaStore, switchyardMigrations } from '@switchyard/postgres';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import { postgresForTests, rabbitmqForTests } from '@switchyard/testing';
import { SagaInspector } from '../src/index.ts';
import { TradeAllocated, TradeConfirmed, TradeExecuted, tradeBooking } from './support/trade-booking.ts';

const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();
const service = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'trade-service.ts');
const trades = Array.from({ length: 20 }, (_, index) => `trade-${index}`);
/** Trades write their instance two or three times (parts that arrive early ride along), so this is mid-stream. */
const killAtWrite = 25;

describe('a saga process killed between receiving a message and committing it', {
  skip: postgres.skip || rabbitmq.skip,
}, () => {
  it('loses no transition and applies none twice once a new process takes over', {
    timeout: 90_000,
  }, async () => {
    const schema = await postgres.createSchema();
    const vhost = await rabbitmq.createVhost();
    const client = connectPostgres({ url: schema.url, maxConnections: 4 });
    const endpoint = `trades-${uuidv7().slice(-8)}`;
    const children: ChildProcess[] = [];
    const publisher = createBus({ transport: new RabbitMqTransport({ url: vhost.url }) });
    try {
      await migrate(client, await switchyardMigrations(schema.name));
      const first = await startService(children, [
        schema.url,
        schema.name,
        vhost.url,
        endpoint,
        String(killAtWrite),
      ]);
      // Listened for now: the tripwire may fire while the trades are still being published, and an
      // exit event that comes before anyone listens is not delivered again.
      const firstExit = once(first, 'exit');
      await publisher.start();
      for (const tradeId of trades) {
        await publisher.publish(TradeExecuted, {
          tradeId,
          confirmationRef: `CNF-${tradeId}`,
          quantity: 10,
          price: 1,
        });
        await publisher.publish(TradeAllocated, { tradeId, account: `ACC-${tradeId}` });
        await publisher.publish(TradeConfirmed, { confirmationRef: `CNF-${tradeId}` });
      }
      const [, signal] = await firstExit;
      assert.equal(signal, 'SIGKILL', 'the first process died at its tripwire');

      const inspector = new SagaInspector(tradeBooking(), {
        store: new PostgresSagaStore(client, { schema: schema.name }),
        transactions: client,
      });
      const bookedBefore = await countBooked(inspector);
      assert.ok(bookedBefore < trades.length, `the crash left work undone (${bookedBefore} booked)`);

      await startService(children, [schema.url, schema.name, vhost.url, endpoint]);
      const deadline = Date.now() + 60_000;
      while ((await countBooked(inspector)) < trades.length) {
        if (Date.now() > deadline) throw new Error(`Only ${await countBooked(inspector)} trades booked`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      for (const tradeId of trades) {
        const view = await inspector.find({ id: tradeId });
        assert.deepEqual(
          view?.timeline.map((step) => step.event).sort(),
          ['allParts', 'allocated', 'confirmed', 'executed'],
          `${tradeId}: each transition exactly once`,
        );
      }
    } finally {
      for (const child of children)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.all(
        children.map((child) =>
          child.exitCode === null && child.signalCode === null ? once(child, 'exit') : undefined,
        ),
      );
      await publisher.stop();
      await client.close();
      await vhost.delete();
      await schema.drop();
    }
  });
});

async function startService(children: ChildProcess[], args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [service, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let output = '';
  for await (const chunk of child.stdout ?? []) {
    output += String(chunk);
    if (output.includes('ready')) break;
  }
  if (!output.includes('ready')) throw new Error(`The trade service did not start: ${output}`);
  return child;
}

async function countBooked(inspector: SagaInspector<unknown>): Promise<number> {
  let booked = 0;
  for (const tradeId of trades) if ((await inspector.find({ id: tradeId }))?.state === 'Booked') booked += 1;
  return booked;
}
