import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  type Bus,
  consumer,
  createBus,
  faultOf,
  MessageLog,
  type Observed,
  type ProducedRecord,
  receiveEndpoint,
  transportHeaders,
  uuidv7,
} from '@switchyard/bus';
import { SagaInspector, sagaEndpoint } from '../src/index.ts';
import { type SagaEnvironment, type SagaSetup, sagaEnvironments } from './support/environments.ts';
import {
  TradeAllocated,
  TradeAmended,
  TradeBooked,
  TradeConfirmed,
  TradeExecuted,
  TradeFailed,
  tradeBooking,
} from './support/trade-booking.ts';

const environments: SagaEnvironment[] = await sagaEnvironments();

/** A running saga on one environment, with a log of what the saga published. */
interface Running {
  readonly bus: Bus;
  readonly setup: SagaSetup<unknown>;
  readonly outcomes: MessageLog<ProducedRecord>;
  /** Every message the saga endpoint has finished with, whatever the saga made of it. */
  readonly consumed: MessageLog<Observed>;
  readonly inspector: SagaInspector<unknown>;
  readonly endpoint: string;
}

for (const environment of environments) {
  describe(`the trade booking saga (${environment.name})`, { skip: environment.skip }, () => {
    let running: Running | undefined;

    afterEach(async () => {
      await running?.bus.stop({ deadlineMs: 2_000 });
      await running?.setup.dispose();
      running = undefined;
    });

    const start = async (options: { deadlineMs?: number; parkLimitMs?: number } = {}): Promise<Running> => {
      const setup = await environment.create();
      const definition = tradeBooking(options);
      const endpoint = `trades-${uuidv7().slice(-8)}`;
      const outcomes = new MessageLog<ProducedRecord>('published by the saga');
      const record = (message: unknown, context: { envelope: ProducedRecord['envelope'] }) =>
        outcomes.add({ envelope: context.envelope, message, destination: endpoint });
      const consumed = new MessageLog<Observed>('consumed by the saga endpoint');
      const bus = createBus({
        observers: [
          {
            consumed: (context) => {
              if (context.endpoint === endpoint) consumed.add(context);
            },
          },
        ],
        transport: setup.transport,
        scheduler: setup.scheduler,
        services: setup.services,
        endpoints: [
          sagaEndpoint(definition, {
            ...setup.delivery,
            endpointName: endpoint,
            store: setup.store,
            inbox: setup.inbox,
            scheduler: setup.scheduler,
            concurrency: 8,
            retry: { immediate: { limit: 1, intervalsMs: [10] } },
          }),
          receiveEndpoint(`${endpoint}-watcher`, {
            consumers: [
              consumer(TradeBooked, record),
              consumer(TradeFailed, record),
              consumer(faultOf(TradeAllocated), record),
            ],
          }),
        ],
      });
      await bus.start();
      running = {
        bus,
        setup,
        outcomes,
        consumed,
        endpoint,
        inspector: new SagaInspector(definition, { store: setup.store, transactions: setup.transactions }),
      };
      return running;
    };

    const execution = (tradeId: string, quantity = 100) => ({
      tradeId,
      confirmationRef: `CNF-${tradeId}`,
      quantity,
      price: 101.5,
    });

    it('books a trade once when its execution, allocation and confirmation arrive in order', async () => {
      const { bus, outcomes, inspector } = await start();
      await bus.publish(TradeExecuted, execution('t-1'));
      await bus.publish(TradeAllocated, { tradeId: 't-1', account: 'ACC-9' });
      await bus.publish(TradeConfirmed, { confirmationRef: 'CNF-t-1' });
      const booked = await outcomes.waitFor(TradeBooked, (each) => each.message.tradeId === 't-1', 10_000);
      assert.deepEqual(booked.message, { tradeId: 't-1', account: 'ACC-9', quantity: 100 });
      const view = await inspector.find({ key: 'confirmationRef', value: 'CNF-t-1' });
      assert.equal(view?.state, 'Booked');
      const steps = view?.timeline.map((step) => `${step.from ?? '∅'}-${step.event}->${step.to}`) ?? [];
      // Messages of different types may be consumed in either order by concurrent consumers.
      assert.deepEqual(
        [steps[0], ...steps.slice(1, 3).sort(), steps[3], steps.length],
        [
          '∅-executed->AwaitingParts',
          'AwaitingParts-allocated->AwaitingParts',
          'AwaitingParts-confirmed->AwaitingParts',
          'AwaitingParts-allParts->Booked',
          4,
        ],
      );
      assert.deepEqual(view?.scheduled, {}, 'booking cancels the deadline');
    });

    it('parks parts that arrive before the execution and applies amendments in sequence order', async () => {
      const { bus, outcomes, inspector } = await start();
      await bus.publish(TradeConfirmed, { confirmationRef: 'CNF-t-2' });
      await bus.publish(TradeAmended, { tradeId: 't-2', sequence: 2, quantity: 300 });
      await bus.publish(TradeAllocated, { tradeId: 't-2', account: 'ACC-1' });
      await waitUntilHeld(inspector, 't-2', 2);
      await bus.publish(TradeExecuted, execution('t-2'));
      await bus.publish(TradeAmended, { tradeId: 't-2', sequence: 1, quantity: 200 });
      const booked = await outcomes.waitFor(TradeBooked, (each) => each.message.tradeId === 't-2', 10_000);
      await waitFor(async () => (await inspector.find({ id: 't-2' }))?.sequences.amendments === 2);
      const view = await inspector.find({ id: 't-2' });
      assert.equal(view?.state, 'Booked');
      assert.equal(
        (view?.data as { quantity: number } | undefined)?.quantity,
        300,
        'the later amendment wins',
      );
      assert.equal(view?.held.length, 0);
      assert.equal(booked.message.account, 'ACC-1');
      assert.equal(
        await inspector.find({ key: 'confirmationRef', value: 'CNF-t-2' }).then((found) => found?.id),
        't-2',
        'the parked confirmation was taken over by the trade',
      );
    });

    it('applies a redelivered message once and drops a re-sent amendment by its sequence number', async () => {
      const { bus, outcomes, consumed, inspector } = await start();
      const executedId = uuidv7();
      await bus.publish(TradeExecuted, execution('t-3'), { messageId: executedId });
      await bus.publish(TradeExecuted, execution('t-3'), { messageId: executedId });
      await bus.publish(TradeAmended, { tradeId: 't-3', sequence: 1, quantity: 150 });
      // Re-sent by its producer under a new message id: only the sequence number tells it is the same.
      await bus.publish(TradeAmended, { tradeId: 't-3', sequence: 1, quantity: 150 });
      await bus.publish(TradeAllocated, { tradeId: 't-3', account: 'ACC-2' });
      await bus.publish(TradeConfirmed, { confirmationRef: 'CNF-t-3' });
      await outcomes.waitFor(TradeBooked, (each) => each.message.tradeId === 't-3', 10_000);
      // Concurrent consumers may still be on the amendments after the booking: wait for all six.
      await consumed.waitForCount(TradeExecuted, 2, 10_000);
      await consumed.waitForCount(TradeAmended, 2, 10_000);
      const view = await inspector.find({ id: 't-3' });
      assert.equal((view?.data as { quantity: number } | undefined)?.quantity, 150);
      assert.equal(view?.timeline.filter((step) => step.event === 'executed').length, 1);
      assert.equal(view?.timeline.filter((step) => step.event === 'amended').length, 1);
      assert.equal(outcomes.ofType(TradeBooked).length, 1);
    });

    it('fails a trade whose parts miss the deadline, and faults a late part', async () => {
      const { bus, outcomes, inspector, setup, endpoint } = await start({ deadlineMs: 300 });
      // The confirmation waits parked for its trade, so it is applied with the execution, inside the
      // deadline however busy the machine is, and only the allocation can be missing.
      await bus.publish(TradeConfirmed, { confirmationRef: 'CNF-t-4' });
      await waitFor(
        async () => (await inspector.find({ key: 'confirmationRef', value: 'CNF-t-4' }))?.held.length === 1,
      );
      await bus.publish(TradeExecuted, execution('t-4'));
      const failed = await outcomes.waitFor(TradeFailed, (each) => each.message.tradeId === 't-4', 10_000);
      assert.deepEqual(failed.message.missing, ['allocation']);
      assert.equal((await inspector.find({ id: 't-4' }))?.state, 'Failed');
      await bus.publish(TradeAllocated, { tradeId: 't-4', account: 'ACC-3' });
      await outcomes.waitFor(faultOf(TradeAllocated), () => true, 10_000);
      await waitFor(async () => (await setup.queueDepth(`${endpoint}_error`)) === 1);
      assert.equal(outcomes.ofType(TradeBooked).length, 0);
    });

    it('sends a parked message to the error queue when no saga appears within the park limit', async () => {
      const { bus, inspector, setup, endpoint } = await start({ parkLimitMs: 300 });
      await bus.publish(TradeConfirmed, { confirmationRef: 'CNF-nobody' });
      await waitFor(async () => (await setup.queueDepth(`${endpoint}_error`)) === 1, 10_000);
      assert.equal(
        await inspector.find({ key: 'confirmationRef', value: 'CNF-nobody' }),
        undefined,
        'the empty placeholder is removed',
      );
    });

    it('books many trades whose parts race each other, each exactly once', async () => {
      const { bus, outcomes, inspector } = await start();
      const trades = Array.from({ length: 12 }, (_, index) => `t-many-${index}`);
      const sends = trades.flatMap((tradeId) => [
        () => bus.publish(TradeExecuted, execution(tradeId)),
        () => bus.publish(TradeAllocated, { tradeId, account: `ACC-${tradeId}` }),
        () => bus.publish(TradeConfirmed, { confirmationRef: `CNF-${tradeId}` }),
      ]);
      // Interleaved so that the parts of each trade land on different consumers at once.
      await Promise.all(sends.reverse().map((send) => send()));
      const booked = await outcomes.waitForCount(TradeBooked, trades.length, 30_000);
      assert.deepEqual(booked.map((each) => each.message.tradeId).sort(), [...trades].sort());
      for (const tradeId of trades) {
        const view = await inspector.find({ id: tradeId });
        assert.equal(view?.state, 'Booked', tradeId);
        assert.equal(view?.timeline.filter((step) => step.event === 'allParts').length, 1, tradeId);
      }
    });

    it('puts the reason on a message the saga sends to the error queue', async (context) => {
      if (environment.name !== 'in memory')
        return context.skip('the memory broker lets the test read queued headers');
      const { bus, setup, endpoint } = await start({ parkLimitMs: 200 });
      await bus.publish(TradeAllocated, { tradeId: 't-orphan', account: 'ACC-0' });
      await waitFor(async () => (await setup.queueDepth(`${endpoint}_error`)) === 1);
      const [queued] =
        (setup.transport as import('@switchyard/bus').MemoryTransport).broker
          .queue(`${endpoint}_error`)
          ?.peek() ?? [];
      assert.match(String(queued?.message.headers[transportHeaders.faultMessage]), /park limit/);
      assert.equal(queued?.message.headers[transportHeaders.sourceQueue], endpoint);
    });
  });
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function waitUntilHeld(
  inspector: SagaInspector<unknown>,
  tradeId: string,
  count: number,
): Promise<void> {
  await waitFor(async () => (await inspector.find({ id: tradeId }))?.held.length === count);
}
