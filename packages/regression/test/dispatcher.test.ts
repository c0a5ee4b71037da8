import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { consumer, createBus, MemoryBroker, MemoryTransport, receiveEndpoint } from '@switchyard/bus';
import { migrate, openPglite, type SqlClient } from '@switchyard/postgres';
import {
  CompareGroup,
  PostgresCaptureStore,
  regressionMigrations,
  SettledGroupDispatcher,
} from '../src/index.ts';
import { captured } from './reconcile-fixtures.ts';

describe('the settled-group dispatcher', () => {
  let client: SqlClient;
  let store: PostgresCaptureStore;
  before(async () => {
    client = await openPglite();
    await migrate(client, await regressionMigrations());
    store = new PostgresCaptureStore(client);
    await store.append(
      Array.from({ length: 250 }, (_, index) =>
        captured(
          'baseline',
          'urn:message:shop:InvoiceIssued',
          { index },
          { run: 'd-1', correlationId: `g-${index}` },
        ),
      ),
    );
  });
  after(async () => {
    await client.close();
  });

  const rule = { quietMs: 0, maxWaitMs: 60_000, limit: 500 };

  it('releases the groups whose work items could not be sent, and sends them on a later pass', async () => {
    const broker = new MemoryBroker();
    const received: string[] = [];
    // A bus that is not started refuses every send: the pass fails and claims nothing for good.
    const stopped = createBus({ transport: new MemoryTransport(broker) });
    const failing = new SettledGroupDispatcher({ bus: stopped, store, run: 'd-1', rule });
    await assert.rejects(failing.dispatchOnce());
    assert.equal(failing.dispatched, 0);
    assert.equal((await store.summary('d-1')).settled, 0, 'every claim released');

    const bus = createBus({
      transport: new MemoryTransport(broker),
      endpoints: [
        receiveEndpoint('switchyard.regression.compare', {
          consumers: [
            consumer(CompareGroup, async (work) => {
              received.push(work.groupKey);
            }),
          ],
        }),
      ],
    });
    await bus.start();
    try {
      const dispatcher = new SettledGroupDispatcher({ bus, store, run: 'd-1', rule, sendsInFlight: 40 });
      assert.equal(await dispatcher.dispatchOnce(), 250);
      assert.equal(dispatcher.dispatched, 250);
      assert.equal(await dispatcher.dispatchOnce(), 0, 'nothing claimed twice');
      for (let tries = 0; received.length < 250 && tries < 100; tries += 1)
        await new Promise((r) => setTimeout(r, 20));
      assert.equal(new Set(received).size, 250);
    } finally {
      await bus.stop();
    }
  });
});
