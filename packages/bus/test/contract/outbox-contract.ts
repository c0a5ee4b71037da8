import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Outbox,
  type OutboxEntry,
  type OutgoingMessage,
  type TransactionRunner,
  uuidv7,
} from '@switchyard/bus';

/** One process's view of the store under test: its transactions and its outbox. */
export interface OutboxProcess<Tx> {
  readonly database: TransactionRunner<Tx>;
  readonly outbox: Outbox<Tx>;
}

/** A fresh, empty store with one process on it. */
export interface OutboxFixture<Tx> extends OutboxProcess<Tx> {
  /** Another process on the same store (with its own connection, where the implementation has them). */
  connect(): Promise<OutboxProcess<Tx>>;
  /** The clock every process of the fixture reads the time from (leases, createdAt); tests move it by hand. */
  readonly clock: { now(): number; advance(ms: number): void };
  dispose(): Promise<void>;
}

const longLeaseMs = 60_000;

/**
 * The behaviour every outbox must show. `createFixture` runs before each test and must give a fresh,
 * isolated store (a new in-memory database, a fresh schema).
 */
export function outboxContract<Tx>(name: string, createFixture: () => Promise<OutboxFixture<Tx>>): void {
  describe(`Outbox contract: ${name}`, () => {
    let fixture: OutboxFixture<Tx>;
    const addLease = (messages: OutgoingMessage[], leaseMs = 0, process: OutboxProcess<Tx> = fixture) =>
      process.database.transaction((tx) => process.outbox.add(tx, messages, leaseMs));
    /** Every entry stored, leased to the adder or held back, oldest first. */
    const add = async (messages: OutgoingMessage[], leaseMs = 0, process: OutboxProcess<Tx> = fixture) => {
      const added = await addLease(messages, leaseMs, process);
      return [...added.entries, ...added.heldBack].sort((a, b) => (a.id < b.id ? -1 : 1));
    };
    const claimLabels = async (limit = 100, leaseMs = longLeaseMs, process: OutboxProcess<Tx> = fixture) =>
      (await process.outbox.claim(limit, leaseMs)).entries.map(label);

    beforeEach(async () => {
      fixture = await createFixture();
    });
    afterEach(async () => {
      await fixture.dispose();
    });

    it('stores what a committed transaction added, with increasing ids, and hands it out unchanged', async () => {
      const sent = outgoing('a', { conversationId: uuidv7(), delayMs: 250, correlationId: uuidv7() });
      const published: OutgoingMessage = {
        ...outgoing('b'),
        kind: 'publish',
        destination: 'orders:OrderPlaced',
      };
      const added = [...(await add([sent, published])), ...(await add([outgoing('c')]))];

      assert.equal(added.length, 3);
      const ids = added.map((entry) => entry.id);
      assert.deepEqual([...ids].sort(), ids, 'ids increase in the order entries were added');
      assert.equal(new Set(ids).size, 3);
      for (const entry of added) assert.equal(entry.createdAt.getTime(), fixture.clock.now());
      assert.deepEqual(summary(added[0] as OutboxEntry), { ...summary(sent), id: ids[0] });
      assert.deepEqual(summary(added[1] as OutboxEntry), { ...summary(published), id: ids[1] });

      assert.equal(await fixture.outbox.pendingCount(), 3);
      const { entries: claimed } = await fixture.outbox.claim(10, longLeaseMs);
      assert.deepEqual(claimed.map(summary), added.map(summary));
      assert.deepEqual(
        claimed.map((entry) => entry.createdAt.getTime()),
        added.map((entry) => entry.createdAt.getTime()),
      );
    });

    it('does not let changes to objects passed in or handed out reach the stored entries', async () => {
      const message = outgoing('original');
      const [added] = await add([message]);
      assert.ok(added);
      message.message.body.fill(0);
      (message.message.headers as Record<string, unknown>).label = 'changed';
      added.message.body.fill(0);
      (added.message.headers as Record<string, unknown>).label = 'changed';
      added.createdAt.setTime(0);
      const [claimed] = (await fixture.outbox.claim(10, 1_000)).entries;
      assert.ok(claimed);
      assert.equal(label(claimed), 'original');
      assert.equal(claimed.message.headers.label, 'original');
      assert.equal(claimed.createdAt.getTime(), fixture.clock.now());
      claimed.message.body.fill(0);
      fixture.clock.advance(2_000);
      const [again] = (await fixture.outbox.claim(10, 1_000)).entries;
      assert.equal(again && label(again), 'original');
    });

    it('keeps nothing that a rolled-back transaction added', async () => {
      const failure = new Error('handler failed');
      await assert.rejects(
        fixture.database.transaction(async (tx) => {
          const added = await fixture.outbox.add(tx, [outgoing('lost'), outgoing('also lost')], 0);
          assert.equal(added.entries.length, 2);
          throw failure;
        }),
        failure,
      );
      assert.equal(await fixture.outbox.pendingCount(), 0);
      fixture.clock.advance(longLeaseMs);
      assert.deepEqual(await claimLabels(), []);
    });

    it('leaves entries to their adder until its lease ends, then lets the sweeper claim them', async () => {
      await add([outgoing('a'), outgoing('b')], 10_000);
      assert.deepEqual(await claimLabels(), []);
      fixture.clock.advance(9_000);
      assert.deepEqual(await claimLabels(), []);
      fixture.clock.advance(2_000);
      assert.deepEqual(await claimLabels(), ['a', 'b']);
    });

    it('leases what it claims: not claimed again until that lease ends', async () => {
      await add([outgoing('a')]);
      assert.deepEqual(await claimLabels(10, 5_000), ['a']);
      assert.deepEqual(await claimLabels(), []);
      fixture.clock.advance(4_000);
      assert.deepEqual(await claimLabels(), []);
      fixture.clock.advance(2_000);
      assert.deepEqual(await claimLabels(10, 5_000), ['a'], 'the claimer crashed; another takes over');
    });

    it('claims the oldest entries first, no more than the limit', async () => {
      await add([outgoing('a'), outgoing('b'), outgoing('c')]);
      await add([outgoing('d')]);
      await add([outgoing('e')]);
      assert.deepEqual(await claimLabels(2), ['a', 'b']);
      assert.deepEqual(await claimLabels(2), ['c', 'd']);
      assert.deepEqual(await claimLabels(2), ['e']);
      assert.deepEqual(await claimLabels(2), []);
    });

    it('passes over leased entries to claim free ones behind them', async () => {
      await add([outgoing('held')], longLeaseMs);
      await add([outgoing('free')]);
      assert.deepEqual(await claimLabels(), ['free']);
    });

    it('never claims delivered entries again, nor counts them pending', async () => {
      const [a, b] = await add([outgoing('a'), outgoing('b'), outgoing('c')]);
      const claimed = await fixture.outbox.claim(10, 1_000);
      assert.equal(await fixture.outbox.markDelivered(claimed.owner, [a?.id, b?.id] as string[]), true);
      assert.equal(await fixture.outbox.pendingCount(), 1);
      fixture.clock.advance(2_000);
      assert.deepEqual(await claimLabels(), ['c']);
    });

    it('marks delivered entries the adder sent without claiming them', async () => {
      const added = await addLease([outgoing('a'), outgoing('b')], longLeaseMs);
      assert.equal(
        await fixture.outbox.markDelivered(
          added.owner,
          added.entries.map((entry) => entry.id),
        ),
        true,
      );
      assert.equal(await fixture.outbox.pendingCount(), 0);
      fixture.clock.advance(2 * longLeaseMs);
      assert.deepEqual(await claimLabels(), []);
    });

    it('hands released entries out again at once', async () => {
      const [a] = await add([outgoing('a'), outgoing('b')]);
      const claimed = await fixture.outbox.claim(10, longLeaseMs);
      assert.deepEqual(claimed.entries.map(label), ['a', 'b']);
      await fixture.outbox.release(claimed.owner, [a?.id as string]);
      assert.deepEqual(await claimLabels(), ['a']);
      assert.equal(await fixture.outbox.pendingCount(), 2);
    });

    it('removes delivered entries created before a time, keeping later and undelivered ones', async () => {
      const [old, undelivered] = await add([outgoing('old'), outgoing('undelivered')]);
      fixture.clock.advance(1_000);
      const cutoff = new Date(fixture.clock.now());
      fixture.clock.advance(1_000);
      const [recent] = await add([outgoing('recent')]);
      const claimed = await fixture.outbox.claim(10, 1_000);
      await fixture.outbox.markDelivered(claimed.owner, [old?.id, recent?.id] as string[]);

      assert.equal(await fixture.outbox.removeDeliveredOlderThan(cutoff), 1);
      assert.equal(await fixture.outbox.removeDeliveredOlderThan(cutoff), 0);
      assert.equal(await fixture.outbox.pendingCount(), 1);
      fixture.clock.advance(2_000);
      const again = await fixture.outbox.claim(10, longLeaseMs);
      assert.deepEqual(again.entries.map(label), ['undelivered']);
      assert.equal(await fixture.outbox.removeDeliveredOlderThan(new Date(fixture.clock.now() + 1)), 1);
      await fixture.outbox.markDelivered(again.owner, [undelivered?.id as string]);
      assert.equal(await fixture.outbox.removeDeliveredOlderThan(new Date(fixture.clock.now() + 1)), 1);
      assert.equal(await fixture.outbox.pendingCount(), 0);
    });

    it('counts every undelivered entry as pending, leased or not', async () => {
      assert.equal(await fixture.outbox.pendingCount(), 0);
      await add([outgoing('leased')], longLeaseMs);
      await add([outgoing('free'), outgoing('claimed')]);
      await fixture.outbox.claim(1, longLeaseMs);
      assert.equal(await fixture.outbox.pendingCount(), 3);
    });

    describe('order within a conversation', () => {
      it('holds back a later entry while an earlier one of its conversation is leased', async () => {
        const conversationId = uuidv7();
        const first = await addLease([outgoing('k1', { conversationId })], longLeaseMs);
        await add([outgoing('k2', { conversationId }), outgoing('other', { conversationId: uuidv7() })]);
        await add([outgoing('none')]);
        assert.deepEqual(await claimLabels(), ['other', 'none'], 'other conversations are not held up');
        await fixture.outbox.markDelivered(
          first.owner,
          first.entries.map((entry) => entry.id),
        );
        assert.deepEqual(await claimLabels(), ['k2']);
      });

      it('claims a conversation’s entries together, in order', async () => {
        const conversationId = uuidv7();
        await add([outgoing('k1', { conversationId }), outgoing('x')]);
        await add([outgoing('k2', { conversationId })]);
        await add([outgoing('k3', { conversationId })]);
        assert.deepEqual(await claimLabels(), ['k1', 'x', 'k2', 'k3']);
      });

      it('claims the rest of a conversation cut off by the limit only after the first part is delivered', async () => {
        const conversationId = uuidv7();
        await add(['k1', 'k2', 'k3'].map((each) => outgoing(each, { conversationId })));
        const firstPart = await fixture.outbox.claim(2, longLeaseMs);
        assert.deepEqual(firstPart.entries.map(label), ['k1', 'k2']);
        assert.deepEqual(await claimLabels(), []);
        await fixture.outbox.markDelivered(firstPart.owner, [firstPart.entries[0]?.id as string]);
        assert.deepEqual(await claimLabels(), [], 'k2 is not delivered yet');
        await fixture.outbox.markDelivered(firstPart.owner, [firstPart.entries[1]?.id as string]);
        assert.deepEqual(await claimLabels(), ['k3']);
      });

      it('hands out a released or expired earlier entry again before the later ones', async () => {
        const conversationId = uuidv7();
        await add(['k1', 'k2'].map((each) => outgoing(each, { conversationId })));
        const first = await fixture.outbox.claim(1, 5_000);
        assert.deepEqual(await claimLabels(), []);
        await fixture.outbox.release(
          first.owner,
          first.entries.map((entry) => entry.id),
        );
        assert.deepEqual(await claimLabels(10, 5_000), ['k1', 'k2']);
        fixture.clock.advance(6_000);
        assert.deepEqual(await claimLabels(), ['k1', 'k2']);
      });
    });

    describe('lease owners', () => {
      it('lets only the holder of a lease release it: a former holder frees nothing', async () => {
        const ids = (await add([outgoing('a')])).map((entry) => entry.id);
        const late = await fixture.outbox.claim(10, 5_000);
        fixture.clock.advance(6_000);
        const current = await fixture.outbox.claim(10, 5_000);
        assert.deepEqual(current.entries.map(label), ['a'], 'the first lease ran out');
        await fixture.outbox.release(late.owner, ids);
        assert.deepEqual(await claimLabels(), [], 'the late release left the current lease alone');
        await fixture.outbox.release(current.owner, ids);
        assert.deepEqual(await claimLabels(), ['a']);
      });

      it('renews only its owner’s lease, from now, and answers which entries it still holds', async () => {
        const ids = (await add([outgoing('a'), outgoing('b')])).map((entry) => entry.id);
        const lease = await fixture.outbox.claim(10, 5_000);
        fixture.clock.advance(4_000);
        assert.deepEqual(await fixture.outbox.renew(lease.owner, ids, 5_000), ids);
        fixture.clock.advance(4_000);
        assert.deepEqual(await claimLabels(), [], 'the renewed lease still holds at 8 s');
        assert.deepEqual(await fixture.outbox.renew(uuidv7(), ids, 60_000), [], 'a stranger renews nothing');
        fixture.clock.advance(2_000);
        const next = await fixture.outbox.claim(1, 5_000);
        assert.deepEqual(next.entries.map(label), ['a'], 'the lease ran out 5 s after its renewal');
        assert.deepEqual(await fixture.outbox.renew(lease.owner, ids, 5_000), [ids[1]]);
      });

      it('marks an entry delivered whoever holds it, and tells a former holder it lost the lease', async () => {
        const [entry] = await add([outgoing('a')]);
        const id = entry?.id as string;
        const late = await fixture.outbox.claim(10, 5_000);
        fixture.clock.advance(6_000);
        const current = await fixture.outbox.claim(10, 5_000);
        assert.equal(await fixture.outbox.markDelivered(late.owner, [id]), false);
        assert.equal(await fixture.outbox.pendingCount(), 0, 'the send happened, so the entry is delivered');
        assert.equal(await fixture.outbox.markDelivered(current.owner, [id]), true);
      });

      it('holds back from its adder an entry whose conversation has an earlier undelivered entry', async () => {
        const conversationId = uuidv7();
        const first = await addLease([outgoing('k1', { conversationId })], 0);
        fixture.clock.advance(1);
        const failed = await fixture.outbox.claim(10, 5_000);
        await fixture.outbox.release(
          failed.owner,
          first.entries.map((entry) => entry.id),
        );
        const later = await addLease(
          [outgoing('k2', { conversationId }), outgoing('k3', { conversationId }), outgoing('x')],
          longLeaseMs,
        );
        assert.deepEqual(
          later.entries.map(label),
          ['x'],
          'only the entry of another conversation is the adder’s',
        );
        assert.deepEqual(later.heldBack.map(label), ['k2', 'k3']);
        assert.deepEqual(await claimLabels(), ['k1', 'k2', 'k3'], 'the sweeper sends them, in order');
      });

      it('leases to its adder an entry whose conversation has nothing undelivered before it', async () => {
        const conversationId = uuidv7();
        const first = await addLease([outgoing('k1', { conversationId })], longLeaseMs);
        await fixture.outbox.markDelivered(
          first.owner,
          first.entries.map((entry) => entry.id),
        );
        const later = await addLease([outgoing('k2', { conversationId })], longLeaseMs);
        assert.deepEqual(later.entries.map(label), ['k2']);
        assert.deepEqual(later.heldBack, []);
      });
    });

    describe('several processes', () => {
      it('never hands one entry to two claimers while its lease is live', async () => {
        const other = await fixture.connect();
        const added = await add(Array.from({ length: 30 }, (_, index) => outgoing(`m${index}`)));
        const claimedBy = { first: [] as string[], second: [] as string[] };
        for (let round = 0; ; round += 1) {
          assert.ok(
            round <= added.length,
            `still claiming after ${round} rounds: entries are handed out again`,
          );
          const [first, second] = await Promise.all([
            fixture.outbox.claim(4, longLeaseMs),
            other.outbox.claim(4, longLeaseMs),
          ]);
          if (first.entries.length === 0 && second.entries.length === 0) break;
          claimedBy.first.push(...first.entries.map((entry) => entry.id));
          claimedBy.second.push(...second.entries.map((entry) => entry.id));
        }
        const all = [...claimedBy.first, ...claimedBy.second];
        assert.equal(new Set(all).size, all.length, 'no entry was claimed twice');
        assert.deepEqual(
          [...all].sort(),
          added.map((entry) => entry.id),
        );
        assert.ok(claimedBy.first.length > 0 && claimedBy.second.length > 0, 'both processes claimed some');
      });

      it('delivers a conversation in order even when two processes share the work', async () => {
        const other = await fixture.connect();
        const conversations = [uuidv7(), uuidv7(), uuidv7()];
        const messages = Array.from({ length: 24 }, (_, index) =>
          outgoing(`${index % 3}:${Math.floor(index / 3)}`, { conversationId: conversations[index % 3] }),
        );
        for (let index = 0; index < messages.length; index += 4) await add(messages.slice(index, index + 4));

        const delivered: string[] = [];
        const work = async (process: OutboxProcess<Tx>) => {
          const deadline = Date.now() + 10_000;
          while ((await process.outbox.pendingCount()) > 0) {
            if (Date.now() > deadline) throw new Error('Timed out delivering the outbox');
            const { owner, entries: batch } = await process.outbox.claim(3, longLeaseMs);
            if (batch.length === 0) {
              await sleep(1); // the other process holds what is left
              continue;
            }
            delivered.push(...batch.map(label));
            await process.outbox.markDelivered(
              owner,
              batch.map((entry) => entry.id),
            );
          }
        };
        await Promise.all([work(fixture), work(other)]);

        assert.equal(delivered.length, messages.length, 'each entry delivered once');
        assert.equal(new Set(delivered).size, messages.length);
        for (const conversation of ['0', '1', '2']) {
          const order = delivered.filter((each) => each.startsWith(`${conversation}:`));
          assert.deepEqual(
            order,
            Array.from({ length: 8 }, (_, index) => `${conversation}:${index}`),
          );
        }
      });
    });
  });
}

/** A send with a readable label in its body, and options on top. */
function outgoing(
  text: string,
  options: { conversationId?: string | undefined; delayMs?: number; correlationId?: string } = {},
): OutgoingMessage {
  return {
    kind: 'send',
    destination: 'outbox-contract',
    message: {
      messageId: uuidv7(),
      correlationId: options.correlationId,
      contentType: 'text/plain',
      body: Buffer.from(text),
      headers: { label: text, attempt: 1, urgent: false, absent: null },
    },
    delayMs: options.delayMs,
    conversationId: options.conversationId,
  };
}

function label(entry: OutgoingMessage): string {
  return Buffer.from(entry.message.body).toString();
}

/** The content of an entry in comparable form; `id` only for entries. */
function summary(entry: OutgoingMessage & { id?: string }) {
  return {
    id: entry.id,
    kind: entry.kind,
    destination: entry.destination,
    messageId: entry.message.messageId,
    correlationId: entry.message.correlationId ?? undefined,
    contentType: entry.message.contentType,
    body: label(entry),
    headers: entry.message.headers,
    delayMs: entry.delayMs ?? undefined,
    conversationId: entry.conversationId ?? undefined,
  };
}
