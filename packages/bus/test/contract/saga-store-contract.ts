import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  SagaConcurrencyError,
  type SagaRecord,
  type SagaStore,
  type SagaTransition,
  type TransactionRunner,
  uuidv7,
} from '@switchyard/bus';

/** One process's view of the store under test: its transactions and its saga store. */
export interface SagaStoreProcess<Tx> {
  readonly database: TransactionRunner<Tx>;
  readonly sagas: SagaStore<Tx>;
}

/** A fresh, empty store with one process on it. */
export interface SagaStoreFixture<Tx> extends SagaStoreProcess<Tx> {
  /** Another process on the same store (with its own connection, where the implementation has them). */
  connect(): Promise<SagaStoreProcess<Tx>>;
  dispose(): Promise<void>;
}

const orderSaga = 'OrderStateMachine';
const deliverySaga = 'DeliveryStateMachine';

/**
 * The behaviour every saga store must show. `createFixture` runs before each test and must give a
 * fresh, isolated store (a new in-memory database, a fresh schema).
 */
export function sagaStoreContract<Tx>(
  name: string,
  createFixture: () => Promise<SagaStoreFixture<Tx>>,
): void {
  describe(`Saga store contract: ${name}`, () => {
    let fixture: SagaStoreFixture<Tx>;
    const inTx = <T>(
      work: (tx: Tx, sagas: SagaStore<Tx>) => Promise<T>,
      process: SagaStoreProcess<Tx> = fixture,
    ) => process.database.transaction((tx) => work(tx, process.sagas));
    const load = (id: string, sagaType = orderSaga) => inTx((tx, sagas) => sagas.load(tx, sagaType, id));
    const find = (key: string, value: string, sagaType = orderSaga) =>
      inTx((tx, sagas) => sagas.findByKey(tx, sagaType, key, value));
    const insert = (record: SagaRecord) => inTx((tx, sagas) => sagas.insert(tx, record));
    const update = (record: SagaRecord) => inTx((tx, sagas) => sagas.update(tx, record));

    beforeEach(async () => {
      fixture = await createFixture();
    });
    afterEach(async () => {
      await fixture.dispose();
    });

    describe('insert, load and find', () => {
      it('loads an inserted instance by id and finds it by each of its keys', async () => {
        const record = saga({ keys: { orderId: 'o-1', externalRef: 'x-1' } });
        await insert(record);
        assert.deepEqual(await load(record.id), record);
        assert.deepEqual(await find('orderId', 'o-1'), record);
        assert.deepEqual(await find('externalRef', 'x-1'), record);
      });

      it('finds nothing for an unknown id, key, value or saga type', async () => {
        const record = saga({ keys: { orderId: 'o-1' } });
        await insert(record);
        assert.equal(await load(uuidv7()), undefined);
        assert.equal(await load(record.id, deliverySaga), undefined);
        assert.equal(await find('orderId', 'o-2'), undefined);
        assert.equal(await find('externalRef', 'o-1'), undefined);
        assert.equal(await find('orderId', 'o-1', deliverySaga), undefined);
      });

      it('keeps saga types apart: the same id and key value may exist in each', async () => {
        const id = uuidv7();
        const order = saga({ id, keys: { orderId: 'o-1' }, state: 'Submitted' });
        const delivery = saga({ id, sagaType: deliverySaga, keys: { orderId: 'o-1' }, state: 'Planned' });
        await insert(order);
        await insert(delivery);
        assert.deepEqual(await load(id), order);
        assert.deepEqual(await load(id, deliverySaga), delivery);
        assert.deepEqual(await find('orderId', 'o-1', deliverySaga), delivery);
      });

      it('keeps JSON data of any shape', async () => {
        const data = { lines: [{ sku: 'milk-1l', quantity: 2 }], note: 'ring twice', paid: false, tip: null };
        const records = [
          saga({ data }),
          saga({ data: 'text' }),
          saga({ data: 42 }),
          saga({ data: [1, 'two'] }),
        ];
        for (const record of records) await insert(record);
        for (const record of records) assert.deepEqual(await load(record.id), record);
      });

      it('rejects an insert whose id is taken, leaving the first instance as it was', async () => {
        const first = saga({ keys: { orderId: 'o-1' } });
        await insert(first);
        await assert.rejects(
          insert(saga({ id: first.id, state: 'Other', keys: { orderId: 'o-2' } })),
          SagaConcurrencyError,
        );
        assert.deepEqual(await load(first.id), first);
        assert.equal(await find('orderId', 'o-2'), undefined);
      });

      it('rejects an insert whose key another instance holds, storing nothing of it', async () => {
        const first = saga({ keys: { orderId: 'o-1' } });
        await insert(first);
        const second = saga({ keys: { externalRef: 'x-2', orderId: 'o-1' } });
        await assert.rejects(insert(second), SagaConcurrencyError);
        assert.equal(await load(second.id), undefined);
        assert.equal(await find('externalRef', 'x-2'), undefined);
        assert.deepEqual(await find('orderId', 'o-1'), first);
      });

      it('rejects an insert at a version other than 1', async () => {
        const record = saga({ version: 2 });
        await assert.rejects(insert(record));
        assert.equal(await load(record.id), undefined);
      });
    });

    describe('update', () => {
      it('replaces the instance one version at a time', async () => {
        const v1 = saga({ keys: { orderId: 'o-1' } });
        await insert(v1);
        const v2 = { ...v1, version: 2, state: 'Accepted', data: { accepted: true } };
        await update(v2);
        assert.deepEqual(await load(v1.id), v2);
        const v3 = { ...v2, version: 3, state: 'Delivered' };
        await update(v3);
        assert.deepEqual(await load(v1.id), v3);
        assert.deepEqual(await find('orderId', 'o-1'), v3);
      });

      it('rejects an update from a stale version, or one that skips a version, keeping what is stored', async () => {
        const v1 = saga();
        await insert(v1);
        const v2 = { ...v1, version: 2, state: 'Accepted' };
        await update(v2);
        await assert.rejects(update({ ...v1, version: 2, state: 'Stale' }), SagaConcurrencyError);
        await assert.rejects(update({ ...v1, version: 4, state: 'Skipped' }), SagaConcurrencyError);
        await assert.rejects(update({ ...v1, version: 1, state: 'Same' }), SagaConcurrencyError);
        assert.deepEqual(await load(v1.id), v2);
      });

      it('rejects an update of an instance that does not exist', async () => {
        const record = saga({ version: 2 });
        await assert.rejects(update(record), SagaConcurrencyError);
        assert.equal(await load(record.id), undefined);
      });

      it('moves keys: a dropped or changed value is free again, a new one finds the instance', async () => {
        const v1 = saga({ keys: { orderId: 'o-1', externalRef: 'x-1', legacy: 'l-1' } });
        await insert(v1);
        const v2 = { ...v1, version: 2, keys: { orderId: 'o-1', externalRef: 'x-2', route: 'r-1' } };
        await update(v2);
        assert.equal(await find('externalRef', 'x-1'), undefined);
        assert.equal(await find('legacy', 'l-1'), undefined);
        assert.deepEqual(await find('externalRef', 'x-2'), v2);
        assert.deepEqual(await find('route', 'r-1'), v2);
        assert.deepEqual(await find('orderId', 'o-1'), v2);
        const other = saga({ keys: { externalRef: 'x-1', legacy: 'l-1' } });
        await insert(other);
        assert.deepEqual(await find('externalRef', 'x-1'), other);
      });

      it('rejects an update taking a key another instance holds, keeping what is stored', async () => {
        const holder = saga({ keys: { orderId: 'o-1' } });
        const v1 = saga({ keys: { orderId: 'o-2' } });
        await insert(holder);
        await insert(v1);
        await assert.rejects(
          update({ ...v1, version: 2, keys: { orderId: 'o-1', externalRef: 'x-1' } }),
          SagaConcurrencyError,
        );
        assert.equal(await find('externalRef', 'x-1'), undefined);
        assert.deepEqual(await load(v1.id), v1);
        assert.deepEqual(await find('orderId', 'o-1'), holder);
        assert.deepEqual(await find('orderId', 'o-2'), v1);
      });
    });

    describe('remove', () => {
      it('removes the instance at the expected version, freeing its keys', async () => {
        const v1 = saga({ keys: { orderId: 'o-1' } });
        await insert(v1);
        await update({ ...v1, version: 2 });
        await inTx((tx, sagas) => sagas.remove(tx, orderSaga, v1.id, 2));
        assert.equal(await load(v1.id), undefined);
        assert.equal(await find('orderId', 'o-1'), undefined);
        const sameKey = saga({ keys: { orderId: 'o-1' } });
        await insert(sameKey);
        assert.deepEqual(await find('orderId', 'o-1'), sameKey, 'another instance can take the key');
        const sameId = saga({ id: v1.id, keys: { orderId: 'o-2' } });
        await insert(sameId);
        assert.deepEqual(await load(v1.id), sameId, 'a new instance can take the id');
      });

      it('rejects a remove at another version, or of an instance that is gone', async () => {
        const v1 = saga();
        await insert(v1);
        await assert.rejects(
          inTx((tx, sagas) => sagas.remove(tx, orderSaga, v1.id, 2)),
          SagaConcurrencyError,
        );
        assert.deepEqual(await load(v1.id), v1);
        await inTx((tx, sagas) => sagas.remove(tx, orderSaga, v1.id, 1));
        await assert.rejects(
          inTx((tx, sagas) => sagas.remove(tx, orderSaga, v1.id, 1)),
          SagaConcurrencyError,
        );
      });
    });

    describe('transactions', () => {
      it('sees its own writes within a transaction', async () => {
        const v1 = saga({ keys: { orderId: 'o-1' } });
        const seen = await inTx(async (tx, sagas) => {
          await sagas.insert(tx, v1);
          const afterInsert = await sagas.findByKey(tx, orderSaga, 'orderId', 'o-1');
          await sagas.update(tx, { ...v1, version: 2, state: 'Accepted' });
          const afterUpdate = await sagas.load(tx, orderSaga, v1.id);
          return { afterInsert, afterUpdate };
        });
        assert.deepEqual(seen.afterInsert, v1);
        assert.deepEqual(seen.afterUpdate, { ...v1, version: 2, state: 'Accepted' });
        const gone = await inTx(async (tx, sagas) => {
          await sagas.remove(tx, orderSaga, v1.id, 2);
          return sagas.findByKey(tx, orderSaga, 'orderId', 'o-1');
        });
        assert.equal(gone, undefined);
        assert.equal(await load(v1.id), undefined);
      });

      it('keeps nothing a rolled-back transaction wrote', async () => {
        const failure = new Error('handler failed');
        const kept = saga({ keys: { orderId: 'kept' } });
        await insert(kept);
        const created = saga({ keys: { orderId: 'o-1' } });
        await assert.rejects(
          inTx(async (tx, sagas) => {
            await sagas.insert(tx, created);
            await sagas.recordTransition(tx, transition(created.id, { to: 'Submitted' }));
            await sagas.update(tx, { ...kept, version: 2, state: 'Changed', keys: { orderId: 'moved' } });
            throw failure;
          }),
          failure,
        );
        assert.equal(await load(created.id), undefined);
        assert.equal(await find('orderId', 'o-1'), undefined);
        assert.deepEqual(await fixture.sagas.timeline(orderSaga, created.id), []);
        assert.deepEqual(await load(kept.id), kept);
        assert.deepEqual(await find('orderId', 'kept'), kept);
        assert.equal(await find('orderId', 'moved'), undefined);

        await assert.rejects(
          inTx(async (tx, sagas) => {
            await sagas.remove(tx, orderSaga, kept.id, 1);
            throw failure;
          }),
          failure,
        );
        assert.deepEqual(await load(kept.id), kept);
      });
    });

    describe('several processes', () => {
      it('lets exactly one of two updates from the same version win', async () => {
        const other = await fixture.connect();
        const v1 = saga();
        await insert(v1);
        const attempt = (process: SagaStoreProcess<Tx>, state: string) =>
          inTx(async (tx, sagas) => {
            const loaded = (await sagas.load(tx, orderSaga, v1.id)) ?? v1;
            await sleep(20); // hold the transaction open while the other process tries
            await sagas.update(tx, { ...loaded, version: 2, state });
            return state;
          }, process);
        const results = await Promise.allSettled([attempt(fixture, 'ByFirst'), attempt(other, 'BySecond')]);
        const won = results.filter((result) => result.status === 'fulfilled');
        const lost = results.filter((result) => result.status === 'rejected');
        assert.equal(won.length, 1);
        assert.ok(lost[0]?.reason instanceof SagaConcurrencyError, `lost with ${lost[0]?.reason}`);
        assert.deepEqual(await load(v1.id), { ...v1, version: 2, state: won[0]?.value });
      });

      it('lets exactly one of two inserts with the same key win', async () => {
        const other = await fixture.connect();
        const first = saga({ keys: { orderId: 'o-1' } });
        const second = saga({ keys: { orderId: 'o-1' } });
        const attempt = (process: SagaStoreProcess<Tx>, record: SagaRecord) =>
          inTx(async (tx, sagas) => {
            await sagas.insert(tx, record);
            await sleep(20);
            return record;
          }, process);
        const results = await Promise.allSettled([attempt(fixture, first), attempt(other, second)]);
        const won = results.filter((result) => result.status === 'fulfilled');
        const lost = results.filter((result) => result.status === 'rejected');
        assert.equal(won.length, 1);
        assert.ok(lost[0]?.reason instanceof SagaConcurrencyError, `lost with ${lost[0]?.reason}`);
        assert.deepEqual(await find('orderId', 'o-1'), won[0]?.value);
      });
    });

    describe('timeline', () => {
      it('lists an instance’s transitions oldest first, and keeps them after the instance is removed', async () => {
        const v1 = saga({ state: 'Submitted' });
        const at = Date.UTC(2025, 0, 1, 6);
        const created = transition(v1.id, {
          to: 'Submitted',
          event: 'OrderSubmitted',
          at,
          messageId: uuidv7(),
        });
        const accepted = transition(v1.id, { from: 'Submitted', to: 'Accepted', event: 'OrderAccepted', at });
        const delivered = transition(v1.id, {
          from: 'Accepted',
          to: 'Delivered',
          event: 'OrderDelivered',
          at: at + 60_000,
        });
        const final = transition(v1.id, {
          from: 'Delivered',
          to: 'Final',
          event: 'OrderClosed',
          at: at + 120_000,
        });
        await inTx(async (tx, sagas) => {
          await sagas.insert(tx, v1);
          await sagas.recordTransition(tx, created);
          await sagas.recordTransition(tx, accepted);
        });
        await inTx(async (tx, sagas) => {
          await sagas.update(tx, { ...v1, version: 2, state: 'Delivered' });
          await sagas.recordTransition(tx, delivered);
        });
        await inTx(async (tx, sagas) => {
          await sagas.remove(tx, orderSaga, v1.id, 2);
          await sagas.recordTransition(tx, final);
        });

        const timeline = await fixture.sagas.timeline(orderSaga, v1.id);
        assert.deepEqual(timeline.map(comparable), [created, accepted, delivered, final].map(comparable));
        assert.equal(timeline[0]?.from ?? undefined, undefined, 'the first transition has no from');
      });

      it('keeps each instance’s timeline apart', async () => {
        const id = uuidv7();
        await inTx(async (tx, sagas) => {
          await sagas.recordTransition(tx, transition(id, { to: 'Submitted' }));
          await sagas.recordTransition(tx, { ...transition(id, { to: 'Planned' }), sagaType: deliverySaga });
          await sagas.recordTransition(tx, transition(uuidv7(), { to: 'Other' }));
        });
        const order = await fixture.sagas.timeline(orderSaga, id);
        const delivery = await fixture.sagas.timeline(deliverySaga, id);
        assert.deepEqual(
          order.map((each) => each.to),
          ['Submitted'],
        );
        assert.deepEqual(
          delivery.map((each) => each.to),
          ['Planned'],
        );
        assert.deepEqual(await fixture.sagas.timeline(orderSaga, uuidv7()), []);
      });
    });

    it('cannot be changed through objects passed in or handed out', async () => {
      const data = { lines: [{ sku: 'milk-1l', quantity: 2 }] };
      const keys: Record<string, string> = { orderId: 'o-1' };
      const record = saga({ data, keys });
      const original = structuredClone(record);
      const step = { ...transition(record.id, { to: 'Submitted' }) };
      await inTx(async (tx, sagas) => {
        await sagas.insert(tx, record);
        await sagas.recordTransition(tx, step);
      });
      data.lines.push({ sku: 'eggs-6', quantity: 1 });
      keys.orderId = 'changed';
      (step as { to: string }).to = 'Changed';

      const loaded = (await load(record.id)) as SagaRecord;
      (loaded.data as typeof data).lines.push({ sku: 'cream', quantity: 1 });
      (loaded.keys as Record<string, string>).orderId = 'changed-again';
      const [listed] = await fixture.sagas.timeline(orderSaga, record.id);
      (listed as { to: string }).to = 'Changed';

      assert.deepEqual(await load(record.id), original);
      assert.deepEqual(await find('orderId', 'o-1'), original);
      assert.equal(await find('orderId', 'changed'), undefined);
      assert.deepEqual(
        (await fixture.sagas.timeline(orderSaga, record.id)).map((each) => each.to),
        ['Submitted'],
      );
    });
  });
}

/** A new order saga at version 1 in state `Submitted`, with what `overrides` says. */
function saga(overrides: Partial<SagaRecord> = {}): SagaRecord {
  return {
    sagaType: orderSaga,
    id: uuidv7(),
    state: 'Submitted',
    data: { orderId: 'o-1' },
    version: 1,
    keys: {},
    ...overrides,
  };
}

function transition(
  sagaId: string,
  step: { from?: string; to: string; event?: string; at?: number; messageId?: string },
): SagaTransition {
  return {
    sagaType: orderSaga,
    sagaId,
    from: step.from,
    to: step.to,
    event: step.event ?? 'SomethingHappened',
    messageId: step.messageId,
    at: new Date(step.at ?? Date.UTC(2025, 0, 1)),
  };
}

/** A transition in comparable form: absent and null optional fields alike, times as numbers. */
function comparable(transition: SagaTransition) {
  return {
    sagaType: transition.sagaType,
    sagaId: transition.sagaId,
    from: transition.from ?? undefined,
    to: transition.to,
    event: transition.event,
    messageId: transition.messageId ?? undefined,
    at: transition.at.getTime(),
  };
}
