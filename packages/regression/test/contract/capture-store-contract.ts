import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { CapturedMessage, CaptureEnvironment } from '../../src/captured-message.ts';
import type { CaptureStore } from '../../src/store/capture-store.ts';

// The tests every capture store passes; each file gives a fresh store per test.
export type StoreFactory = () => Promise<{ store: CaptureStore; second?: CaptureStore }>;

const t0 = Date.parse('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(t0 + ms).toISOString();
let sequence = 0;

function message(
  run: string,
  environment: CaptureEnvironment,
  correlationId: string,
  messageType: string,
  capturedMs: number,
  sentMs = capturedMs,
): CapturedMessage {
  sequence += 1;
  return {
    run,
    environment,
    messageId: `${environment}-${correlationId}-${messageType}-${sequence}`,
    correlationId,
    conversationId: undefined,
    messageType: `urn:message:milkround:${messageType}`,
    sentTime: at(sentMs),
    capturedAt: at(capturedMs),
    message: { correlationId, messageType, pints: 2 },
    headers: { traceparent: 'x' },
  };
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let index = copy.length - 1; index > 0; index--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const other = state % (index + 1);
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}

export function captureStoreContract(fresh: StoreFactory): void {
  it('stores a message delivered twice once, within a batch and across batches', async () => {
    const { store } = await fresh();
    const first = message('r1', 'baseline', 'c1', 'OrderPlaced', 0);
    const second = message('r1', 'baseline', 'c1', 'InvoiceIssued', 10);
    assert.deepEqual(await store.append([first, first, second]), { stored: 2, duplicates: 1 });
    assert.deepEqual(await store.append([second, first]), { stored: 0, duplicates: 2 });
    const group = await store.messagesOf('r1', 'c1');
    assert.equal(group.baseline.length, 2);
    const summary = await store.summary('r1');
    // A redelivery must not make a group look bigger.
    assert.equal(summary.messages.baseline, 2);
    assert.equal(summary.groups, 1);
  });

  it('groups out-of-order messages and returns each side in sent-time order', async () => {
    const { store } = await fresh();
    const messages = [];
    for (let index = 0; index < 20; index++) {
      const key = `c${index % 4}`;
      messages.push(
        message(
          'r2',
          index % 2 ? 'candidate' : 'baseline',
          key,
          `Step${index}`,
          1_000 - index * 7,
          (index * 37) % 50,
        ),
      );
    }
    for (const batch of [
      shuffled(messages, 7).slice(0, 10),
      shuffled(messages, 7).slice(10),
      shuffled(messages, 3),
    ])
      await store.append(batch);
    const summary = await store.summary('r2');
    assert.equal(summary.groups, 4);
    assert.equal(summary.messages.baseline + summary.messages.candidate, 20);
    const group = await store.messagesOf('r2', 'c1');
    for (const side of [group.baseline, group.candidate]) {
      const times = side.map((each) => each.sentTime);
      assert.deepEqual(times, [...times].sort());
    }
    assert.deepEqual(
      group.baseline.concat(group.candidate).map((each) => each.correlationId),
      Array(5).fill('c1'),
    );
    const original = messages.find((each) => each.messageId === group.candidate[0]?.messageId);
    assert.deepEqual(group.candidate[0], original);
  });

  it('settles by completion types, quiet period and max wait; a missing side is settled, not waited for', async () => {
    const { store } = await fresh();
    await store.append([
      // complete: both sides saw InvoiceIssued, still busy.
      message('r3', 'baseline', 'done', 'InvoiceIssued', 9_000),
      message('r3', 'candidate', 'done', 'InvoiceIssued', 9_500),
      // only the baseline has the completion type: not complete.
      message('r3', 'baseline', 'half', 'InvoiceIssued', 9_000),
      message('r3', 'candidate', 'half', 'OrderPlaced', 9_000),
      // quiet for 5 s.
      message('r3', 'baseline', 'quiet', 'OrderPlaced', 4_000),
      message('r3', 'candidate', 'quiet', 'OrderPlaced', 5_000),
      // the candidate never answered and the baseline keeps going: only max wait settles it.
      message('r3', 'baseline', 'busy', 'OrderPlaced', 0),
      message('r3', 'baseline', 'busy', 'OrderShipped', 9_900),
    ]);
    const rule = { quietMs: 5_000, completionTypes: ['urn:message:milkround:InvoiceIssued'], limit: 10 };
    const first = await store.claimSettled('r3', { ...rule, maxWaitMs: 60_000, now: new Date(t0 + 10_000) });
    assert.deepEqual(first.map((each) => [each.groupKey, each.reason]).sort(), [
      ['done', 'complete'],
      ['quiet', 'quiet'],
    ]);
    assert.deepEqual(
      await store.claimSettled('r3', { ...rule, maxWaitMs: 60_000, now: new Date(t0 + 10_000) }),
      [],
    );
    const late = await store.claimSettled('r3', { ...rule, maxWaitMs: 10_000, now: new Date(t0 + 10_000) });
    assert.deepEqual(
      late.map((each) => [each.groupKey, each.reason, each.counts.candidate]),
      [['busy', 'max-wait', 0]],
    );
    const afterQuiet = await store.claimSettled('r3', {
      ...rule,
      maxWaitMs: 60_000,
      now: new Date(t0 + 15_000),
    });
    assert.deepEqual(
      afterQuiet.map((each) => each.groupKey),
      ['half'],
    );
  });

  it('a released claim is claimed again', async () => {
    const { store } = await fresh();
    await store.append([message('r4', 'baseline', 'g', 'OrderPlaced', 0)]);
    const rule = { quietMs: 10, maxWaitMs: 100, limit: 5, now: new Date(t0 + 1_000) };
    assert.equal((await store.claimSettled('r4', rule)).length, 1);
    assert.equal((await store.claimSettled('r4', rule)).length, 0);
    await store.releaseClaims('r4', ['g']);
    assert.deepEqual(
      (await store.claimSettled('r4', rule)).map((each) => each.groupKey),
      ['g'],
    );
  });

  it('two claimers at once never get the same group', async () => {
    const { store, second } = await fresh();
    const messages = [];
    for (let index = 0; index < 300; index++)
      messages.push(message('r5', 'baseline', `g${index}`, 'OrderPlaced', 0));
    await store.append(messages);
    const rule = { quietMs: 10, maxWaitMs: 100, limit: 40, now: new Date(t0 + 1_000) };
    const claimers = [store, second ?? store];
    const claimed: string[] = [];
    await Promise.all(
      claimers.map(async (claimer) => {
        for (;;) {
          const groups = await claimer.claimSettled('r5', rule);
          if (groups.length === 0) return;
          claimed.push(...groups.map((each) => each.groupKey));
        }
      }),
    );
    assert.equal(claimed.length, 300);
    assert.equal(new Set(claimed).size, 300);
    assert.equal((await store.summary('r5')).settled, 300);
  });

  it('records a comparison once, pages results and counts outcomes by kind', async () => {
    const { store } = await fresh();
    await store.append([message('r6', 'baseline', 'a', 'X', 0), message('r6', 'candidate', 'b', 'X', 0)]);
    assert.equal(await store.recordResult('r6', 'a', 'billing', { kind: 'match' }), 'recorded');
    assert.equal(await store.recordResult('r6', 'a', 'billing', { kind: 'difference' }), 'already');
    assert.equal(
      await store.recordResult('r6', 'a', 'shipping', { kind: 'difference', text: 'nul \u0000' }),
      'recorded',
    );
    assert.equal(await store.recordResult('r6', 'b', 'billing', 'plain'), 'recorded');
    const first = await store.results('r6', { limit: 2 });
    assert.equal(first.results.length, 2);
    assert.deepEqual(first.results[0]?.outcome, { kind: 'match' });
    const rest = await store.results('r6', { after: first.next, limit: 2 });
    assert.deepEqual(
      rest.results.map((each) => each.outcome),
      ['plain'],
    );
    assert.equal(rest.next, undefined);
    const summary = await store.summary('r6');
    assert.equal(summary.compared, 2);
    assert.deepEqual(summary.byOutcome, { match: 1, difference: 1, unknown: 1 });
  });

  it('records a malformed capture once, its body bounded, and reports it', async () => {
    const { store } = await fresh();
    const capture = {
      run: 'r7',
      environment: 'candidate' as const,
      transportMessageId: 'm-1',
      body: Buffer.from(`not json \u0000 ${'x'.repeat(100_000)}`),
      reason: 'Message body is not valid JSON',
      capturedAt: at(0),
    };
    await store.appendMalformed([capture]);
    await store.appendMalformed([capture]);
    const malformed = await store.malformed('r7');
    assert.equal(malformed.length, 1);
    assert.equal(malformed[0]?.bodyBytes, capture.body.length);
    assert.ok((malformed[0]?.body.length ?? 0) < 20_000);
    assert.match(malformed[0]?.body ?? '', /^not json \ufffd x/);
    assert.equal((await store.summary('r7')).malformed, 1);
  });

  it('keeps runs apart so a run can be compared again later', async () => {
    const { store } = await fresh();
    const one = message('run-a', 'baseline', 'k', 'X', 0);
    await store.append([one, { ...one, run: 'run-b' }]);
    assert.equal((await store.summary('run-a')).groups, 1);
    assert.equal((await store.summary('run-b')).messages.baseline, 1);
  });
}
