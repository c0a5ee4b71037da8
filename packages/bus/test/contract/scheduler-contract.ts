import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ScheduledMessage, type Scheduler, type TransactionRunner, uuidv7 } from '@switchyard/bus';
import { waitUntil } from './transport-contract.ts';

/** One process's view of the store under test: its transactions and its scheduler (not started). */
export interface SchedulerProcess<Tx> {
  readonly database: TransactionRunner<Tx>;
  readonly scheduler: Scheduler<Tx>;
}

/** A fresh, empty store with one process on it. */
export interface SchedulerFixture<Tx> extends SchedulerProcess<Tx> {
  /** Another process on the same store (with its own connection, where the implementation has them). */
  connect(): Promise<SchedulerProcess<Tx>>;
  /**
   * The clock every scheduler of the fixture reads the time from; tests move it by hand. Schedulers
   * must notice a moved clock within a few tens of milliseconds (poll at least that often).
   */
  readonly clock: { now(): number; advance(ms: number): void };
  dispose(): Promise<void>;
}

/** Long enough for a scheduler polling every few tens of milliseconds to have looked several times. */
const quietMs = 200;

/**
 * The behaviour every scheduler must show. `createFixture` runs before each test and must give a
 * fresh, isolated store (a new in-memory database, a fresh schema). Tests stop what they start.
 */
export function schedulerContract<Tx>(
  name: string,
  createFixture: () => Promise<SchedulerFixture<Tx>>,
): void {
  describe(`Scheduler contract: ${name}`, () => {
    let fixture: SchedulerFixture<Tx>;
    let started: Scheduler<Tx>[] = [];
    const start = async (recorder: Recorder, scheduler: Scheduler<Tx> = fixture.scheduler) => {
      await scheduler.start(recorder.deliver);
      started.push(scheduler);
    };
    const dueIn = (ms: number) => new Date(fixture.clock.now() + ms);
    const pendingIds = async () => (await fixture.scheduler.pending()).map((message) => message.id);

    beforeEach(async () => {
      fixture = await createFixture();
      started = [];
    });
    afterEach(async () => {
      for (const scheduler of started) await scheduler.stop();
      await fixture.dispose();
    });

    it('fires a message once its due time comes, and not before', async () => {
      const fired = recorder(fixture.clock);
      const message = scheduled('later', dueIn(1_000));
      await fixture.scheduler.schedule(message);
      await start(fired);

      await sleep(quietMs);
      assert.equal(fired.deliveries.length, 0);
      fixture.clock.advance(900);
      await sleep(quietMs);
      assert.equal(fired.deliveries.length, 0, 'fired 100ms early');
      fixture.clock.advance(100);
      await waitUntil(() => fired.deliveries.length > 0, 10_000, 'the due message');

      const [delivery] = fired.deliveries;
      assert.ok(delivery);
      assert.ok(delivery.at >= message.dueAt.getTime(), 'fired at or after its due time');
      assert.deepEqual(comparable(delivery.message), comparable(message));
    });

    it('fires each due message once, including those already overdue when it starts', async () => {
      const fired = recorder(fixture.clock, { takesMs: 50 });
      const messages = [
        scheduled('overdue', dueIn(-60_000)),
        scheduled('now', dueIn(0)),
        scheduled('soon', dueIn(50)),
      ];
      for (const message of messages) await fixture.scheduler.schedule(message);
      await start(fired);
      fixture.clock.advance(50);

      await waitUntil(() => fired.deliveries.length >= 3, 10_000, 'three messages');
      await waitForPending(fixture.scheduler, 0);
      await sleep(quietMs);
      assert.deepEqual(fired.ids().sort(), messages.map((message) => message.id).sort());
    });

    it('fires a message scheduled while running', async () => {
      const fired = recorder(fixture.clock);
      await start(fired);
      await sleep(20);
      const message = scheduled('while running', dueIn(0));
      await fixture.scheduler.schedule(message);
      await waitUntil(() => fired.deliveries.length > 0, 10_000, 'the message');
      assert.deepEqual(fired.ids(), [message.id]);
    });

    it('cancels a message before it is due: true, and it never fires', async () => {
      const fired = recorder(fixture.clock);
      const cancelled = scheduled('cancelled', dueIn(1_000));
      const kept = scheduled('kept', dueIn(1_000));
      await fixture.scheduler.schedule(cancelled);
      await fixture.scheduler.schedule(kept);
      await start(fired);

      assert.equal(await fixture.scheduler.cancel(cancelled.id), true);
      assert.deepEqual(await pendingIds(), [kept.id]);
      fixture.clock.advance(2_000);
      await waitUntil(() => fired.deliveries.length > 0, 10_000, 'the kept message');
      await sleep(quietMs);
      assert.deepEqual(fired.ids(), [kept.id]);
      assert.equal(await fixture.scheduler.cancel(cancelled.id), false, 'cancelled already');
    });

    it('answers false to cancelling a message that fired or never existed', async () => {
      const fired = recorder(fixture.clock);
      const message = scheduled('fires', dueIn(0));
      await fixture.scheduler.schedule(message);
      await start(fired);
      await waitUntil(() => fired.deliveries.length > 0, 10_000, 'the message');
      await waitUntil(() => fired.settled > 0, 10_000, 'the delivery to settle');
      await waitForPending(fixture.scheduler, 0);
      assert.equal(await fixture.scheduler.cancel(message.id), false);
      assert.equal(await fixture.scheduler.cancel(uuidv7()), false);
    });

    it('replaces a message scheduled again under the same id', async () => {
      const fired = recorder(fixture.clock);
      const id = uuidv7();
      await fixture.scheduler.schedule(scheduled('first', dueIn(1_000), id));
      const second = scheduled('second', dueIn(2_000), id);
      await fixture.scheduler.schedule(second);
      assert.deepEqual((await fixture.scheduler.pending()).map(comparable), [comparable(second)]);

      await start(fired);
      fixture.clock.advance(1_500);
      await sleep(quietMs);
      assert.equal(fired.deliveries.length, 0, 'the first version is gone');
      fixture.clock.advance(500);
      await waitUntil(() => fired.deliveries.length > 0, 10_000, 'the second version');
      await sleep(quietMs);
      assert.deepEqual(
        fired.deliveries.map((delivery) => body(delivery.message)),
        ['second'],
      );
    });

    it('fires again a message scheduled anew under its id while its delivery was in progress', async () => {
      let open!: () => void;
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      const fired = recorder(fixture.clock, { gate });
      const id = uuidv7();
      await fixture.scheduler.schedule(scheduled('first', dueIn(0), id));
      await start(fired);
      try {
        await waitUntil(() => fired.deliveries.length > 0, 10_000, 'the first delivery to begin');
        await fixture.scheduler.schedule(scheduled('second', dueIn(1_000), id));
      } finally {
        open();
      }
      await waitUntil(() => fired.settled > 0, 10_000, 'the first delivery to settle');
      await sleep(quietMs);
      assert.deepEqual(
        (await fixture.scheduler.pending()).map((message) => body(message)),
        ['second'],
      );
      fixture.clock.advance(1_000);
      await waitUntil(() => fired.deliveries.length > 1, 10_000, 'the second version');
      await sleep(quietMs);
      assert.deepEqual(
        fired.deliveries.map((delivery) => body(delivery.message)),
        ['first', 'second'],
      );
    });

    it('tries a failed delivery again later, and keeps the message until a delivery succeeds', async () => {
      const fired = recorder(fixture.clock, { failFirst: 2 });
      const message = scheduled('flaky', dueIn(0));
      await fixture.scheduler.schedule(message);
      await start(fired);

      await waitUntil(() => fired.settled >= 1, 10_000, 'the first attempt');
      assert.deepEqual(await pendingIds(), [message.id], 'kept after a failed delivery');
      await sleep(quietMs);
      assert.equal(fired.settled, 1, 'tried again at once: a retry must wait');
      await waitUntil(
        () => {
          fixture.clock.advance(1_000); // however long the retry delay, the clock gets there
          return fired.settled >= 3;
        },
        10_000,
        'two retries',
      );
      await waitForPending(fixture.scheduler, 0);
      await sleep(quietMs);
      fixture.clock.advance(60_000);
      await sleep(quietMs);
      assert.deepEqual(fired.ids(), [message.id, message.id, message.id]);
      assert.deepEqual(
        fired.deliveries.map((delivery) => body(delivery.message)),
        ['flaky', 'flaky', 'flaky'],
        'each attempt gets the message as scheduled',
      );
      assert.equal(fired.failures, 2);
    });

    it('lists pending messages soonest first', async () => {
      const late = scheduled('late', dueIn(3_000));
      const soon = scheduled('soon', dueIn(1_000));
      const middle = scheduled('middle', dueIn(2_000));
      for (const message of [late, soon, middle]) await fixture.scheduler.schedule(message);
      const pending = await fixture.scheduler.pending();
      assert.deepEqual(pending.map(comparable), [soon, middle, late].map(comparable));
    });

    it('does not let changes to objects passed in or handed out reach the stored message', async () => {
      const message = scheduled('original', dueIn(1_000));
      const original = comparable(message);
      await fixture.scheduler.schedule(message);
      message.outgoing.message.body.fill(0);
      message.dueAt.setTime(0);
      const [listed] = await fixture.scheduler.pending();
      assert.ok(listed);
      listed.outgoing.message.body.fill(0);
      listed.dueAt.setTime(0);
      assert.deepEqual((await fixture.scheduler.pending()).map(comparable), [original]);
    });

    describe('transactions', () => {
      it('never fires a message scheduled in a transaction that rolled back', async () => {
        const fired = recorder(fixture.clock);
        await start(fired);
        const failure = new Error('handler failed');
        await assert.rejects(
          fixture.database.transaction(async (tx) => {
            await fixture.scheduler.schedule(scheduled('lost', dueIn(0)), tx);
            throw failure;
          }),
          failure,
        );
        fixture.clock.advance(1_000);
        await sleep(quietMs);
        assert.equal(fired.deliveries.length, 0);
        assert.deepEqual(await pendingIds(), []);
      });

      it('fires a message scheduled in a transaction only once that committed', async () => {
        const fired = recorder(fixture.clock);
        await start(fired);
        const message = scheduled('committed', dueIn(0));
        await fixture.database.transaction(async (tx) => {
          await fixture.scheduler.schedule(message, tx);
          await sleep(quietMs);
          assert.equal(fired.deliveries.length, 0, 'fired before the transaction committed');
        });
        await waitUntil(() => fired.deliveries.length > 0, 10_000, 'the committed message');
        assert.deepEqual(fired.ids(), [message.id]);
      });

      it('cancels in a transaction only if it commits, and sees what the transaction scheduled', async () => {
        const cancelled = scheduled('cancelled', dueIn(1_000));
        const kept = scheduled('kept', dueIn(1_000));
        await fixture.scheduler.schedule(cancelled);
        await fixture.scheduler.schedule(kept);
        const failure = new Error('handler failed');

        const results = await fixture.database.transaction(async (tx) => {
          const staged = scheduled('staged', dueIn(1_000));
          await fixture.scheduler.schedule(staged, tx);
          return [
            await fixture.scheduler.cancel(cancelled.id, tx),
            await fixture.scheduler.cancel(staged.id, tx),
            await fixture.scheduler.cancel(uuidv7(), tx),
          ];
        });
        assert.deepEqual(results, [true, true, false]);
        await assert.rejects(
          fixture.database.transaction(async (tx) => {
            assert.equal(await fixture.scheduler.cancel(kept.id, tx), true);
            throw failure;
          }),
          failure,
        );
        assert.deepEqual(await pendingIds(), [kept.id]);

        const fired = recorder(fixture.clock);
        await start(fired);
        fixture.clock.advance(1_000);
        await waitUntil(() => fired.deliveries.length > 0, 10_000, 'the kept message');
        await sleep(quietMs);
        assert.deepEqual(fired.ids(), [kept.id]);
      });
    });

    describe('start and stop', () => {
      it('waits for deliveries in progress when stopping, then fires nothing more', async () => {
        let open!: () => void;
        const gate = new Promise<void>((resolve) => {
          open = resolve;
        });
        const fired = recorder(fixture.clock, { gate });
        await fixture.scheduler.schedule(scheduled('slow', dueIn(0)));
        await start(fired);
        await waitUntil(() => fired.deliveries.length > 0, 10_000, 'the slow delivery to begin');

        let stopped = false;
        const stopping = fixture.scheduler.stop().then(() => {
          stopped = true;
        });
        try {
          await sleep(50);
          assert.equal(stopped, false, 'stop resolved with a delivery in progress');
        } finally {
          open();
        }
        await stopping;
        assert.equal(fired.settled, 1);

        const afterStop = scheduled('after stop', dueIn(0));
        await fixture.scheduler.schedule(afterStop);
        fixture.clock.advance(1_000);
        await sleep(quietMs);
        assert.equal(fired.deliveries.length, 1);
        assert.deepEqual(await pendingIds(), [afterStop.id]);
      });

      it('leaves what a stopped scheduler did not fire to another process on the same store', async () => {
        const message = scheduled('survivor', dueIn(1_000));
        await start(recorder(fixture.clock));
        await fixture.scheduler.schedule(message);
        await fixture.scheduler.stop();

        const other = await fixture.connect();
        assert.deepEqual(
          (await other.scheduler.pending()).map((each) => each.id),
          [message.id],
        );
        const fired = recorder(fixture.clock);
        await start(fired, other.scheduler);
        fixture.clock.advance(1_000);
        await waitUntil(() => fired.deliveries.length > 0, 10_000, 'the message on the other process');
        assert.deepEqual(fired.ids(), [message.id]);
      });

      it('fires each message on one of two processes only', async () => {
        const other = await fixture.connect();
        const fired = recorder(fixture.clock, { takesMs: 50 });
        await start(fired);
        await start(fired, other.scheduler);
        const messages = Array.from({ length: 20 }, (_, index) =>
          scheduled(`m${index}`, dueIn(index % 2 ? 0 : 100)),
        );
        for (const [index, message] of messages.entries()) {
          await (index % 2 ? fixture : other).scheduler.schedule(message);
        }
        fixture.clock.advance(100);

        await waitUntil(() => fired.deliveries.length >= messages.length, 10_000, 'every message');
        // Only once every delivery is done: a clock moved past the lease of one still running would
        // rightly have it fired again, as if its process had died.
        await waitForPending(fixture.scheduler, 0);
        await sleep(quietMs);
        fixture.clock.advance(60_000);
        await sleep(quietMs);
        assert.equal(fired.deliveries.length, messages.length, 'no message fired twice');
        assert.deepEqual(fired.ids().sort(), messages.map((message) => message.id).sort());
      });
    });
  });
}

/** What a scheduler delivered, and when by the fixture's clock. */
interface Recorder {
  readonly deliver: (message: ScheduledMessage) => Promise<void>;
  readonly deliveries: { readonly message: ScheduledMessage; readonly at: number }[];
  /** Deliveries that resolved or threw. */
  readonly settled: number;
  readonly failures: number;
  ids(): string[];
}

/** How a recorder's deliveries behave. */
interface RecorderOptions {
  /** Throw from the first this many deliveries. */
  readonly failFirst?: number;
  /** Settle no delivery before this resolves. */
  readonly gate?: Promise<void>;
  /** Take this long over each delivery. */
  readonly takesMs?: number;
}

/**
 * A deliver function that records what it was given and then scribbles over the body, as careless
 * code might: a retry or another delivery must not see the scribbles.
 */
function recorder(clock: { now(): number }, options: RecorderOptions = {}): Recorder {
  const deliveries: { message: ScheduledMessage; at: number }[] = [];
  let settled = 0;
  let failures = 0;
  return {
    deliveries,
    get settled() {
      return settled;
    },
    get failures() {
      return failures;
    },
    ids: () => deliveries.map((delivery) => delivery.message.id),
    async deliver(message) {
      deliveries.push({ message: snapshot(message), at: clock.now() });
      message.outgoing.message.body.fill(0);
      try {
        await options.gate;
        if (options.takesMs) await sleep(options.takesMs);
        if (failures < (options.failFirst ?? 0)) {
          failures += 1;
          throw new Error(`delivery ${failures} of ${message.id} fails on purpose`);
        }
      } finally {
        settled += 1;
      }
    },
  };
}

async function waitForPending(scheduler: Scheduler<unknown>, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const pending = await scheduler.pending();
    if (pending.length === count) return;
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${count} pending, have ${pending.length}`);
    await sleep(10);
  }
}

function scheduled(text: string, dueAt: Date, id = uuidv7()): ScheduledMessage {
  return {
    id,
    dueAt,
    outgoing: {
      kind: 'send',
      destination: 'scheduler-contract',
      message: {
        messageId: uuidv7(),
        contentType: 'text/plain',
        body: Buffer.from(text),
        headers: { label: text },
      },
    },
  };
}

function snapshot(message: ScheduledMessage): ScheduledMessage {
  const { outgoing } = message;
  return {
    id: message.id,
    dueAt: new Date(message.dueAt),
    outgoing: { ...outgoing, message: { ...outgoing.message, body: Uint8Array.from(outgoing.message.body) } },
  };
}

function body(message: ScheduledMessage): string {
  return Buffer.from(message.outgoing.message.body).toString();
}

/** A scheduled message in comparable form. */
function comparable(message: ScheduledMessage) {
  const { outgoing } = message;
  return {
    id: message.id,
    dueAt: message.dueAt.getTime(),
    kind: outgoing.kind,
    destination: outgoing.destination,
    messageId: outgoing.message.messageId,
    contentType: outgoing.message.contentType,
    body: body(message),
    headers: outgoing.message.headers,
    delayMs: outgoing.delayMs ?? undefined,
    conversationId: outgoing.conversationId ?? undefined,
  };
}
