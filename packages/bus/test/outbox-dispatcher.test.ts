import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ConsumeContext,
  MemoryDatabase,
  MemoryOutbox,
  type MemoryTransaction,
  OutboxDispatcher,
  type OutgoingMessage,
  type Transport,
  type TransportMessage,
  transactional,
  uuidv7,
} from '@switchyard/bus';

/** A transport that records what it took and lets a test decide, send by send, to fail or to stall. */
class ScriptedTransport {
  readonly received: string[] = [];
  /** Decides each send: resolve to send it, reject to fail it; by default sends at once. */
  next: (label: string) => Promise<void> = async () => {};

  readonly transport = {
    publish: (_exchange: string, message: TransportMessage) => this.#take(message),
    send: (_queue: string, message: TransportMessage) => this.#take(message),
  } as unknown as Transport;

  async #take(message: TransportMessage): Promise<void> {
    const text = Buffer.from(message.body).toString();
    await this.next(text);
    this.received.push(text);
  }
}

function outgoing(text: string, conversationId?: string): OutgoingMessage {
  return {
    kind: 'send',
    destination: 'outbox-dispatcher-tests',
    message: { messageId: uuidv7(), contentType: 'text/plain', body: Buffer.from(text), headers: {} },
    conversationId,
  };
}

/** Runs the transactional middleware once, as an endpoint would for one message whose consumer sends `messages`. */
async function consume(
  middleware: ReturnType<typeof transactional>,
  messages: readonly OutgoingMessage[],
): Promise<void> {
  const context = {
    endpoint: 'orders',
    consumer: 'accept-order',
    envelope: { messageId: uuidv7() },
    items: new Map<string, unknown>(),
    signal: new AbortController().signal,
    outgoing: { add: async () => {} },
    logger: { info() {} },
  } as unknown as ConsumeContext;
  await middleware(context, async () => {
    for (const message of messages) await context.outgoing.add(message);
  });
}

function manualClock(start = Date.parse('2026-01-01T00:00:00Z')) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** A promise a test settles by hand. */
function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

async function addFree(database: MemoryDatabase, outbox: MemoryOutbox, messages: OutgoingMessage[]) {
  await database.transaction((tx: MemoryTransaction) => outbox.add(tx, messages, 0));
}

describe('outbox dispatcher', () => {
  it('keeps a conversation in order when a later message is sent at once after an earlier one failed', async () => {
    const database = new MemoryDatabase();
    const outbox = new MemoryOutbox(database);
    const scripted = new ScriptedTransport();
    const dispatcher = new OutboxDispatcher({ outbox, transport: scripted.transport });
    const middleware = transactional({ transactions: database, outbox, dispatcher });
    const conversationId = uuidv7();

    scripted.next = async (label) => {
      if (label === 'k1') throw new Error('connection lost');
    };
    await consume(middleware, [outgoing('k1', conversationId)]);
    scripted.next = async () => {};
    await consume(middleware, [outgoing('k2', conversationId), outgoing('other', uuidv7())]);
    await dispatcher.sweep();

    assert.deepEqual(
      scripted.received.filter((label) => label !== 'other'),
      ['k1', 'k2'],
      'k2 waited for k1, which failed first',
    );
    assert.ok(scripted.received.includes('other'), 'another conversation is not held up');
    assert.equal(await outbox.pendingCount(), 0);
  });

  it('does not let a holder whose lease ran out free an entry another dispatcher now holds', async () => {
    const clock = manualClock();
    const database = new MemoryDatabase();
    const outbox = new MemoryOutbox(database, { now: clock.now });
    const [first, second] = [new ScriptedTransport(), new ScriptedTransport()];
    const stalled = [gate(), gate()];
    first.next = () => stalled[0]?.promise as Promise<void>;
    second.next = () => stalled[1]?.promise as Promise<void>;
    const leaseMs = 60_000;
    const late = new OutboxDispatcher({ outbox, transport: first.transport, leaseMs });
    const current = new OutboxDispatcher({ outbox, transport: second.transport, leaseMs });
    await addFree(database, outbox, [outgoing('a')]);

    const lateSweep = late.sweep();
    await sleep(5);
    clock.advance(leaseMs + 1);
    const currentSweep = current.sweep();
    await sleep(5);
    stalled[0]?.fail(new Error('connection lost'));
    await lateSweep;

    const third = await outbox.claim(10, leaseMs);
    assert.equal(third.entries.length, 0, 'the entry is still held by the dispatcher that claimed it last');
    stalled[1]?.open();
    await currentSweep;
    assert.deepEqual(second.received, ['a']);
    assert.equal(await outbox.pendingCount(), 0);
  });

  it('stops sending a batch once it learns that another dispatcher took its lease over', async () => {
    const clock = manualClock();
    const database = new MemoryDatabase();
    const outbox = new MemoryOutbox(database, { now: clock.now });
    const [first, second] = [new ScriptedTransport(), new ScriptedTransport()];
    const stalled = gate();
    first.next = (label) => (label === 'a' ? stalled.promise : Promise.resolve());
    const leaseMs = 60_000;
    const late = new OutboxDispatcher({ outbox, transport: first.transport, leaseMs });
    const current = new OutboxDispatcher({ outbox, transport: second.transport, leaseMs });
    await addFree(database, outbox, [outgoing('a'), outgoing('b'), outgoing('c')]);

    const lateSweep = late.sweep();
    await sleep(5);
    clock.advance(leaseMs + 1);
    assert.equal(await current.sweep(), 3);
    stalled.open();
    await lateSweep;

    assert.deepEqual(second.received, ['a', 'b', 'c']);
    assert.deepEqual(first.received, ['a'], 'the late dispatcher sent no more once it lost its lease');
  });

  it('renews the lease of a batch while a slow send is in flight, so nobody else sends it again', async () => {
    const database = new MemoryDatabase();
    const outbox = new MemoryOutbox(database);
    const slow = new ScriptedTransport();
    const leaseMs = 150;
    slow.next = () => sleep(4 * leaseMs);
    const dispatcher = new OutboxDispatcher({ outbox, transport: slow.transport, leaseMs });
    await addFree(database, outbox, [outgoing('a'), outgoing('b')]);

    const sweeping = dispatcher.sweep();
    await sleep(2.5 * leaseMs);
    const other = await outbox.claim(10, leaseMs);
    assert.equal(other.entries.length, 0, 'another process found the batch free while it was being sent');
    assert.equal(await sweeping, 2);
    assert.deepEqual(slow.received, ['a', 'b']);
  });

  it('leases for longer by default than a publish can wait for a broker (30 s) plus its confirm (15 s)', () => {
    const dispatcher = new OutboxDispatcher({
      outbox: new MemoryOutbox(new MemoryDatabase()),
      transport: new ScriptedTransport().transport,
    });
    assert.ok(dispatcher.leaseMs >= 60_000, `default lease ${dispatcher.leaseMs} ms`);
  });
});
