import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Outbox,
  OutboxDispatcher,
  type OutboxLease,
  type OutgoingMessage,
  type TransactionRunner,
  type Transport,
  type TransportMessage,
  uuidv7,
} from '@switchyard/bus';
import fc from 'fast-check';

/** One process's view of the store: its transactions and an outbox with its own connection. */
export interface OutboxProcessUnderTest<Tx> {
  readonly database: TransactionRunner<Tx>;
  readonly outbox: Outbox<Tx>;
}

/** A fresh store for one run; `connect` gives another process on it. */
export interface OutboxStoreUnderTest<Tx> extends OutboxProcessUnderTest<Tx> {
  connect(): Promise<OutboxProcessUnderTest<Tx>>;
  dispose(): Promise<void>;
}

/** What a dispatcher's transport does with one send, and how long its outbox's renewals hang. */
const sendStep = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'ok' as const, ms: 0 }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'fail' as const, ms: 0 }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 120 }).map((ms) => ({ kind: 'stall' as const, ms })) },
);

const scenario = fc.record({
  dispatchers: fc.integer({ min: 2, max: 3 }),
  batchSize: fc.integer({ min: 1, max: 4 }),
  // Each entry's conversation (one of three, or none); entries are added in transactions of 1–3.
  entries: fc.array(fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }), {
    minLength: 1,
    maxLength: 10,
  }),
  transactionSizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 10, maxLength: 10 }),
  // Per transaction: left to the sweepers, or sent at once after commit by that dispatcher's process.
  directBy: fc.array(fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }), {
    minLength: 10,
    maxLength: 10,
  }),
  sends: fc.array(fc.array(sendStep, { maxLength: 8 }), { minLength: 3, maxLength: 3 }),
  // Renewal hangs per dispatcher (a database that does not answer): longer than a lease makes it run out.
  renewalStalls: fc.array(fc.array(fc.integer({ min: 0, max: 150 }), { maxLength: 4 }), {
    minLength: 3,
    maxLength: 3,
  }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

const leaseMs = 60;
/** Clock reads on two sides of one statement may differ by this much (PostgreSQL's clock and Node's). */
const toleranceMs = 5;

/** A claim or renewal that gave `owner` the lease on `ids`, and when its call started. */
interface LeaseEvent {
  readonly owner: string;
  readonly ids: readonly string[];
  readonly startedAt: number;
  readonly endedAt: number;
  readonly leaseMs: number;
  readonly kind: 'claim' | 'renew' | 'release';
}

/**
 * Runs the outbox under 2–3 dispatchers sweeping at once over transports that fail and stall, with
 * leases that run out mid-batch, and checks: every entry delivered at least once; first deliveries
 * of a conversation in the order added; and an entry claimed again only after its previous holder
 * released it or its lease (from the start of that holder's last successful claim or renewal) ran out.
 * That is the bound on duplicates: a second dispatcher sends an entry only once the first one's lease
 * really expired (within `toleranceMs` of clock reads), and the first learns it at its next
 * `markDelivered` or renewal, so it re-sends at most the entry then in flight.
 */
export async function checkConcurrentDispatch<Tx>(
  createStore: () => Promise<OutboxStoreUnderTest<Tx>>,
  numRuns: number,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(scenario, async (run) => {
      const store = await createStore();
      try {
        await runScenario(store, run);
      } finally {
        await store.dispose();
      }
    }),
    { numRuns, endOnFailure: true },
  );
}

async function runScenario<Tx>(store: OutboxStoreUnderTest<Tx>, run: Scenario): Promise<void> {
  const conversations = [uuidv7(), uuidv7(), uuidv7()];
  const messages = run.entries.map((conversation, index) =>
    outgoing(`m${index}`, conversation === undefined ? undefined : conversations[conversation]),
  );
  const labelsInOrder: string[][] = [[], [], []];
  for (const [index, conversation] of run.entries.entries()) {
    if (conversation !== undefined) labelsInOrder[conversation]?.push(`m${index}`);
  }
  const events: LeaseEvent[] = [];
  const firstDeliveries: string[] = [];
  const deliveredBy = new Map<string, number>();
  const processes = [
    store,
    ...(await Promise.all(Array.from({ length: run.dispatchers - 1 }, () => store.connect()))),
  ];
  const outboxes = processes.map((process, index) =>
    recorded(process.outbox, events, [...(run.renewalStalls[index] ?? [])]),
  );
  const dispatchers = processes.map((_process, index) => {
    const steps = [...(run.sends[index] ?? [])];
    const transport = {
      publish: (_exchange: string, message: TransportMessage) => take(message),
      send: (_queue: string, message: TransportMessage) => take(message),
    } as unknown as Transport;
    async function take(message: TransportMessage): Promise<void> {
      const step = steps.shift() ?? { kind: 'ok', ms: 0 };
      if (step.kind === 'fail') throw new Error('broker unreachable');
      if (step.ms > 0) await sleep(step.ms);
      const text = Buffer.from(message.body).toString();
      if (!deliveredBy.has(text)) firstDeliveries.push(text);
      deliveredBy.set(text, (deliveredBy.get(text) ?? 0) + 1);
    }
    return new OutboxDispatcher({
      outbox: outboxes[index] as Outbox<Tx>,
      transport,
      leaseMs,
      batchSize: run.batchSize,
    });
  });

  // Transactions commit one after another while the sweepers run; a direct send is not awaited, so
  // the next transaction of its conversation may commit while it is still in flight.
  let adding = true;
  const directSends: Promise<unknown>[] = [];
  const producer = (async () => {
    for (let start = 0, size = 0, transaction = 0; start < messages.length; start += size, transaction++) {
      size = run.transactionSizes[transaction] ?? 1;
      const batch = messages.slice(start, start + size);
      const by = run.directBy[transaction];
      const index = by === undefined ? 0 : by % dispatchers.length;
      const process = processes[index] as OutboxProcessUnderTest<Tx>;
      const outbox = outboxes[index] as Outbox<Tx>;
      const added = await process.database.transaction((tx) =>
        outbox.add(tx, batch, by === undefined ? 0 : leaseMs),
      );
      if (by !== undefined)
        directSends.push((dispatchers[index] as OutboxDispatcher<Tx>).dispatchAdded(added));
      await sleep(1);
    }
    adding = false;
  })();

  const deadline = Date.now() + 5_000;
  await Promise.all(
    dispatchers.map(async (dispatcher) => {
      while (adding || (await store.outbox.pendingCount()) > 0) {
        assert.ok(
          Date.now() < deadline,
          `entries still pending after 5 s: ${await store.outbox.pendingCount()}`,
        );
        await dispatcher.sweep();
        await sleep(5);
      }
    }),
  );
  await producer;
  await Promise.all(directSends);

  assert.deepEqual(
    [...firstDeliveries].sort(),
    messages.map((_, index) => `m${index}`).sort(),
    'every entry delivered',
  );
  for (const order of labelsInOrder) {
    assert.deepEqual(
      firstDeliveries.filter((label) => order.includes(label)),
      order,
      'a conversation in order',
    );
  }
  assertNoOverlappingLeases(events);
}

/** An entry claimed while another holder's lease on it was live would be sent by two at once. */
function assertNoOverlappingLeases(events: readonly LeaseEvent[]): void {
  const byId = new Map<string, LeaseEvent[]>();
  for (const event of events) for (const id of event.ids) byId.set(id, [...(byId.get(id) ?? []), event]);
  for (const [id, history] of byId) {
    let holder: string | undefined;
    let leaseUntil = 0;
    for (const event of [...history].sort((a, b) => a.endedAt - b.endedAt)) {
      if (event.kind === 'claim') {
        if (holder !== undefined && holder !== event.owner) {
          assert.ok(
            event.endedAt + toleranceMs >= leaseUntil,
            `entry ${id} was claimed ${leaseUntil - event.endedAt} ms before the previous holder's lease ran out: ${JSON.stringify(history.map(({ kind, owner, startedAt, endedAt, leaseMs }) => ({ kind, owner: owner.slice(0, 8), startedAt, endedAt, leaseMs })))}`,
          );
        }
        holder = event.owner;
        leaseUntil = event.startedAt + event.leaseMs;
      } else if (event.owner === holder) {
        if (event.kind === 'release') holder = undefined;
        else leaseUntil = event.startedAt + event.leaseMs;
      }
    }
  }
}

/** The outbox as one dispatcher sees it: its claims, renewals and releases logged, renewals hanging as told. */
function recorded<Tx>(outbox: Outbox<Tx>, events: LeaseEvent[], stalls: number[]): Outbox<Tx> {
  const log = (
    kind: LeaseEvent['kind'],
    owner: string,
    ids: readonly string[],
    startedAt: number,
    leaseMs: number,
  ) => events.push({ kind, owner, ids, startedAt, endedAt: Date.now(), leaseMs });
  return {
    async add(tx, messages, ms) {
      const startedAt = Date.now();
      const added = await outbox.add(tx, messages, ms);
      // The adder's lease starts when the entries are stored, after this call started.
      log(
        'claim',
        added.owner,
        added.entries.map((entry) => entry.id),
        startedAt,
        ms,
      );
      return added;
    },
    async claim(limit, ms): Promise<OutboxLease> {
      const startedAt = Date.now();
      const lease = await outbox.claim(limit, ms);
      log(
        'claim',
        lease.owner,
        lease.entries.map((entry) => entry.id),
        startedAt,
        ms,
      );
      return lease;
    },
    async renew(owner, ids, ms) {
      const stall = stalls.shift() ?? 0;
      if (stall > 0) await sleep(stall);
      const startedAt = Date.now();
      const held = await outbox.renew(owner, ids, ms);
      log('renew', owner, held, startedAt, ms);
      return held;
    },
    markDelivered: (owner, ids) => outbox.markDelivered(owner, ids),
    async release(owner, ids) {
      const startedAt = Date.now();
      await outbox.release(owner, ids);
      log('release', owner, ids, startedAt, 0);
    },
    removeDeliveredOlderThan: (before) => outbox.removeDeliveredOlderThan(before),
    pendingCount: () => outbox.pendingCount(),
  };
}

function outgoing(text: string, conversationId: string | undefined): OutgoingMessage {
  return {
    kind: 'send',
    destination: 'outbox-property',
    message: { messageId: uuidv7(), contentType: 'text/plain', body: Buffer.from(text), headers: {} },
    conversationId,
  };
}
