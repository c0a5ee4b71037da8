import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createBus, defineMessage, transportHeaders } from '@switchyard/bus';
import { connectPostgres, migrate, PostgresTransport, switchyardMigrations } from '@switchyard/postgres';
import { postgresForTests } from '@switchyard/testing';
import { z } from 'zod';
import { runCrashLoop } from '../../bus/test/support/crash-loop.ts';
import { queuedRows } from './support/queue-rows.ts';

const postgres = await postgresForTests();
const crashingChild = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'crash-on-message.ts');
const Poison = defineMessage('switchyard.tests.Poison', z.object({ id: z.string() }));

describe('a message whose consumer kills the process, on PostgreSQL', { skip: postgres.skip }, () => {
  it('is delivered up to the delivery limit, then moved to the error queue with the reason', {
    timeout: 60_000,
  }, async () => {
    const schema = await postgres.createSchema();
    const client = connectPostgres({ url: schema.url, maxConnections: 4 });
    const sender = createBus({ transport: new PostgresTransport(client, { schema: schema.name }) });
    try {
      await migrate(client, await switchyardMigrations(schema.name));
      await sender.start();
      await sender.send('queue:poisoned', Poison, { id: 'p-1' });

      const limit = 2;
      const loop = await runCrashLoop(
        crashingChild,
        [schema.url, schema.name, 'poisoned', String(limit)],
        async () => (await queuedRows(client, schema.name, 'poisoned_error')).length > 0,
        limit + 3,
      );
      assert.equal(loop.crashes, limit, `the consumer ran ${limit} times, and was not stopped earlier`);
      assert.ok(loop.lastSurvived, 'the process after the limit was not killed');
      const [moved] = await queuedRows(client, schema.name, 'poisoned_error');
      assert.equal(moved?.headers[transportHeaders.faultExceptionType], 'DeliveryLimitExceededError');
      assert.match(
        String(moved?.headers[transportHeaders.faultMessage]),
        /delivered 2 times without being settled; the consumer may be crashing the process/,
      );
      assert.equal((await queuedRows(client, schema.name, 'poisoned')).length, 0, 'not left in the queue');
    } finally {
      await sender.stop();
      await client.close();
      await schema.drop();
    }
  });
});
