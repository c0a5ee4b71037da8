import assert from 'node:assert/strict';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  defineMessage,
  MemoryBroker,
  MemoryDatabase,
  MemoryOutbox,
  MemorySagaStore,
  type MemoryTransaction,
  type SagaStore,
  startTestHarness,
} from '@switchyard/bus';
import { z } from 'zod';
import { outboxDispatching } from '../../bus/test/support/outbox-dispatching.ts';
import { defineSaga, event, sagaEndpoint } from '../src/index.ts';

const BottlesCounted = defineMessage(
  'dairy.BottlesCounted',
  z.object({ roundId: z.string(), bottles: z.number() }),
);

const round = defineSaga({
  name: 'dairy.Round',
  states: ['Counted'],
  initialData: () => ({ bottles: 0 }),
  events: { counted: event(BottlesCounted, { byId: (message) => message.roundId }) },
  behaviour: ({ initially, when }) => [
    initially(
      when('counted', (saga) =>
        saga
          .update(({ data, message }) => {
            data.bottles += message.bottles;
          })
          .transitionTo('Counted'),
      ),
    ),
  ],
});

/** A saga store whose first insert takes `delayMs`, deaf to any signal: a slow disk, say. */
function slowFirstInsert(store: SagaStore<MemoryTransaction>, delayMs: number): SagaStore<MemoryTransaction> {
  let slow = true;
  return {
    load: (tx, sagaType, id) => store.load(tx, sagaType, id),
    findByKey: (tx, sagaType, key, value) => store.findByKey(tx, sagaType, key, value),
    async insert(tx, record) {
      if (slow) {
        slow = false;
        await sleep(delayMs);
      }
      await store.insert(tx, record);
    },
    update: (tx, record) => store.update(tx, record),
    remove: (tx, sagaType, id, version) => store.remove(tx, sagaType, id, version),
    recordTransition: (tx, transition) => store.recordTransition(tx, transition),
    timeline: (sagaType, id) => store.timeline(sagaType, id),
  };
}

it("passes the endpoint's timeout to the saga's transaction: an attempt that overran commits nothing, the retry applies the message once", async () => {
  const database = new MemoryDatabase();
  const store = new MemorySagaStore(database);
  const outbox = new MemoryOutbox(database);
  const broker = new MemoryBroker();
  const { dispatcher, services } = outboxDispatching(broker, outbox, { sweepIntervalMs: 50 });
  const harness = await startTestHarness({
    broker,
    services,
    endpoints: [
      sagaEndpoint(round, {
        transactions: database,
        outbox,
        dispatcher,
        store: slowFirstInsert(store, 100),
        timeoutMs: 40,
        retry: { immediate: { limit: 2, intervalsMs: [1] } },
      }),
    ],
  });
  try {
    await harness.bus.send('dairy.Round', BottlesCounted, { roundId: 'r-1', bottles: 12 });
    const consumed = await harness.consumed.waitFor(BottlesCounted);
    assert.equal(consumed.attempt, 2, 'the first attempt overran and was not kept');
    const record = await database.transaction((tx) => store.load(tx, 'dairy.Round', 'r-1'));
    assert.ok(record, 'the instance exists');
    assert.equal(record.state, 'Counted');
    assert.deepEqual((record.data as { data: unknown }).data, { bottles: 12 });
    assert.equal((await store.timeline('dairy.Round', 'r-1')).length, 1, 'one transition recorded');
    assert.equal(harness.queue('dairy.Round_error').length, 0);
  } finally {
    await harness.stop();
  }
});
