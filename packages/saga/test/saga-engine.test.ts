import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineMessage, MemoryDatabase, MemorySagaStore } from '@switchyard/bus';
import { z } from 'zod';
import {
  type AnySagaDefinition,
  defineSaga,
  event,
  type IncomingSagaMessage,
  type MissingPolicy,
  SagaCorrelationError,
  type SagaEffect,
  SagaEngine,
  type SagaEvent,
  SagaInspector,
  SagaKeyConflictError,
  SagaNotFoundError,
  type SagaOutcome,
  type UnexpectedPolicy,
  UnexpectedSagaEventError,
} from '../src/index.ts';

// The engine is driven directly, one transaction per message, the way sagaEndpoint drives it, with a
// fixed clock and numbered ids so that effects can be compared whole.
const fixedTime = Date.parse('2030-01-02T03:04:05.000Z');

const Opened = defineMessage(
  'sagatest.engine.Opened',
  z.object({ id: z.string(), ref: z.string().optional(), amount: z.number().optional() }),
);
const Readied = defineMessage('sagatest.engine.Readied', z.object({ id: z.string() }));
const Noted = defineMessage('sagatest.engine.Noted', z.object({ id: z.string(), text: z.string() }));
const Closed = defineMessage('sagatest.engine.Closed', z.object({ id: z.string() }));
const Replied = defineMessage('sagatest.engine.Replied', z.object({ answer: z.string() }));
const Archived = defineMessage('sagatest.engine.Archived', z.object({ id: z.string(), notes: z.number() }));
const Confirmed = defineMessage('sagatest.engine.Confirmed', z.object({ ref: z.string() }));
const Amended = defineMessage('sagatest.engine.Amended', z.object({ id: z.string(), seq: z.number() }));
const PartA = defineMessage('sagatest.engine.PartA', z.object({ id: z.string() }));
const PartB = defineMessage('sagatest.engine.PartB', z.object({ id: z.string() }));
const Checked = defineMessage('sagatest.engine.Checked', z.object({ id: z.string() }));
const Completed = defineMessage('sagatest.engine.Completed', z.object({ id: z.string() }));
const Poked = defineMessage('sagatest.engine.Poked', z.object({ id: z.string() }));
const Reminded = defineMessage('sagatest.engine.Reminded', z.object({ id: z.string() }));

/** A store on a fresh database, an engine on it, and shorthands to run one message per transaction. */
function harness(definition: AnySagaDefinition) {
  const database = new MemoryDatabase();
  const store = new MemorySagaStore(database);
  let ids = 0;
  const engine = new SagaEngine(definition, store, { now: () => fixedTime, newId: () => `id-${++ids}` });
  const inspector = new SagaInspector(definition, { store, transactions: database });
  let messages = 0;
  /** The message as sagaEndpoint hands it over; numbered message ids unless the test names one. */
  const incoming = (
    name: string,
    message: unknown,
    extra: Partial<Omit<IncomingSagaMessage, 'event' | 'message'>> = {},
  ): IncomingSagaMessage => {
    const each = definition.events[name];
    assert.ok(each, `the test sends an undeclared event "${name}"`);
    return { ...extra, event: each, message, messageId: extra.messageId ?? `m-${++messages}` };
  };
  const handle = (...args: Parameters<typeof incoming>): Promise<SagaOutcome> =>
    database.transaction((tx) => engine.handle(tx, incoming(...args)));
  const expireHeld = (sagaId: string, heldMessageId: string) =>
    database.transaction((tx) => engine.expireHeld(tx, sagaId, heldMessageId));
  const load = (id: string) => database.transaction((tx) => store.load(tx, definition.name, id));
  const byKey = (key: string, value: string) =>
    database.transaction((tx) => store.findByKey(tx, definition.name, key, value));
  const timeline = async (id: string) =>
    (await store.timeline(definition.name, id)).map(
      (step) => `${step.from ?? '∅'} -${step.event}-> ${step.to} (${step.messageId})`,
    );
  /** The user's data of instance `id`, which must exist. */
  const dataOf = async <D>(id: string): Promise<D> => {
    const view = await inspector.find({ id });
    assert.ok(view?.state, `saga ${id} exists`);
    return view.data as D;
  };
  return { database, engine, inspector, incoming, handle, expireHeld, load, byKey, timeline, dataOf };
}

const kinds = (effects: readonly SagaEffect[]) => effects.map((effect) => effect.kind);

interface TicketData {
  notes: string[];
  answers: string[];
}

/**
 * Open → Ready, notes only in Ready, closing finalizes from either state; `noted` follows the given
 * onUnexpected policy, so one definition covers fault, ignore and defer.
 */
function ticketSaga(options: {
  onUnexpected?: UnexpectedPolicy;
  deferLimitMs?: number;
  removeWhenFinalized?: boolean;
}) {
  return defineSaga({
    name: 'sagatest.Ticket',
    states: ['Open', 'Ready'],
    initialData: (): TicketData => ({ notes: [], answers: [] }),
    removeWhenFinalized: options.removeWhenFinalized ?? false,
    events: {
      opened: event(Opened, { byId: (m) => m.id }),
      readied: event(Readied, { byId: (m) => m.id }),
      noted: event(Noted, {
        byId: (m) => m.id,
        onUnexpected: options.onUnexpected ?? 'fault',
        ...(options.deferLimitMs !== undefined ? { deferLimitMs: options.deferLimitMs } : {}),
      }),
      closed: event(Closed, { byId: (m) => m.id }),
      replied: event(Replied, { byCorrelationId: true }),
    },
    behaviour: ({ initially, during, duringAny, when, finally: atEnd }) => [
      initially(when('opened', (saga) => saga.transitionTo('Open'))),
      during(
        'Open',
        when('readied', (saga) => saga.transitionTo('Ready')),
      ),
      during(
        'Ready',
        when('noted', (saga) =>
          saga.update(({ data, message }) => {
            data.notes.push(message.text);
          }),
        ),
      ),
      duringAny(
        when('closed', (saga) => saga.finalize()),
        when('replied', (saga) =>
          saga.update(({ data, message }) => {
            data.answers.push(message.answer);
          }),
        ),
      ),
      atEnd((saga) =>
        saga.publish(Archived, ({ data, sagaId }) => ({ id: sagaId, notes: data.notes.length })),
      ),
    ],
  });
}

describe('SagaEngine: events in a state that does not accept them', () => {
  it('faults by default, naming the state and the states that accept the event, and changes nothing', async () => {
    const { handle, load } = harness(ticketSaga({ onUnexpected: 'fault' }));
    await handle('opened', { id: 't-1' });
    await assert.rejects(
      handle('noted', { id: 't-1', text: 'early' }),
      (error: unknown) =>
        error instanceof UnexpectedSagaEventError &&
        /sagatest\.Ticket saga t-1 is in state "Open", which does not accept "noted" \(sagatest\.engine\.Noted\); it is accepted in "Ready"$/.test(
          error.message,
        ),
    );
    assert.equal((await load('t-1'))?.version, 1);
  });

  it('ignores the event when told to: no effects, no transition, the stored version unchanged', async () => {
    const { handle, load, inspector } = harness(ticketSaga({ onUnexpected: 'ignore' }));
    await handle('opened', { id: 't-1' });
    const outcome = await handle('noted', { id: 't-1', text: 'early' });
    assert.deepEqual(outcome, {
      result: 'ignored',
      sagaId: 't-1',
      state: 'Open',
      effects: [],
      transitions: [],
    });
    assert.equal((await load('t-1'))?.version, 1);
    assert.deepEqual((await inspector.find({ id: 't-1' }))?.data, { notes: [], answers: [] });
  });

  it('defers the event and replays held messages in arrival order once a transition makes them acceptable', async () => {
    const { handle, inspector, timeline, dataOf } = harness(ticketSaga({ onUnexpected: 'defer' }));
    await handle('opened', { id: 't-1' }, { messageId: 'open' });
    for (const text of ['first', 'second', 'third']) {
      const held = await handle('noted', { id: 't-1', text }, { messageId: `note-${text}` });
      assert.equal(held.result, 'held');
      assert.deepEqual(held.transitions, []);
    }
    const waiting = await inspector.find({ id: 't-1' });
    assert.deepEqual(
      waiting?.held.map((each) => [each.messageId, each.reason, each.heldAt]),
      [
        ['note-first', 'deferred', new Date(fixedTime).toISOString()],
        ['note-second', 'deferred', new Date(fixedTime).toISOString()],
        ['note-third', 'deferred', new Date(fixedTime).toISOString()],
      ],
    );

    const readied = await handle('readied', { id: 't-1' }, { messageId: 'ready' });
    assert.equal(readied.result, 'applied');
    assert.equal(readied.state, 'Ready');
    // Without a defer limit nothing was scheduled, so the replay has nothing to cancel.
    assert.deepEqual(readied.effects, []);
    assert.deepEqual((await dataOf<TicketData>('t-1')).notes, ['first', 'second', 'third']);
    assert.deepEqual((await inspector.find({ id: 't-1' }))?.held, []);
    assert.deepEqual(await timeline('t-1'), [
      '∅ -opened-> Open (open)',
      'Open -readied-> Ready (ready)',
      'Ready -noted-> Ready (note-first)',
      'Ready -noted-> Ready (note-second)',
      'Ready -noted-> Ready (note-third)',
    ]);
  });

  it('schedules the expiry of a message deferred with a limit, and cancels it when the message is replayed', async () => {
    const { handle } = harness(ticketSaga({ onUnexpected: 'defer', deferLimitMs: 5_000 }));
    await handle('opened', { id: 't-1' });
    const held = await handle('noted', { id: 't-1', text: 'early' }, { messageId: 'note' });
    const [expiry] = held.effects;
    assert.ok(expiry?.kind === 'expireHeld');
    assert.deepEqual(
      { ...expiry, token: typeof expiry.token },
      {
        kind: 'expireHeld',
        token: 'string',
        dueAt: new Date(fixedTime + 5_000),
        sagaId: 't-1',
        heldMessageId: 'note',
      },
    );
    const readied = await handle('readied', { id: 't-1' });
    assert.deepEqual(readied.effects, [{ kind: 'unschedule', token: expiry.token }]);
  });

  it('expels a deferred message whose limit passed, and keeps the instance', async () => {
    const { handle, expireHeld, inspector } = harness(
      ticketSaga({ onUnexpected: 'defer', deferLimitMs: 5_000 }),
    );
    await handle('opened', { id: 't-1' });
    await handle('noted', { id: 't-1', text: 'early' }, { messageId: 'note' });
    const expired = await expireHeld('t-1', 'note');
    assert.equal(expired.result, 'expired');
    assert.equal(expired.state, 'Open');
    const expel = expired.effects.find((effect) => effect.kind === 'expel');
    assert.ok(expel?.kind === 'expel');
    assert.equal(expel.held.messageId, 'note');
    assert.deepEqual(expel.held.message, { id: 't-1', text: 'early' });
    assert.equal(expel.messageType, Noted);
    assert.match(
      expel.reason,
      /did not reach a state accepting "noted" \(message note, held since [^)]+\) before its defer limit/,
    );
    const view = await inspector.find({ id: 't-1' });
    assert.equal(view?.state, 'Open');
    assert.deepEqual(view?.held, []);
    assert.equal((await expireHeld('t-1', 'note')).result, 'stale', 'a second expiry finds nothing to expel');
  });
});

interface ParkingData {
  ref: string | null;
  confirmed: number;
}

/**
 * `opened` starts an instance and gives it the `ref` key; `confirmed` finds it by that key only, so a
 * confirmation that comes first has no instance and follows `whenMissing`.
 */
function parkingSaga(options: { whenMissing: MissingPolicy; onUnexpected?: UnexpectedPolicy }) {
  return defineSaga({
    name: 'sagatest.Parking',
    states: ['Pending', 'Open'],
    initialData: (): ParkingData => ({ ref: null, confirmed: 0 }),
    keys: { ref: (data) => data.ref ?? undefined },
    events: {
      opened: event(Opened, { byId: (m) => m.id }),
      readied: event(Readied, { byId: (m) => m.id }),
      confirmed: event(Confirmed, {
        byKey: 'ref',
        value: (m) => m.ref,
        whenMissing: options.whenMissing,
        onUnexpected: options.onUnexpected ?? 'fault',
        ...(options.whenMissing === 'park' ? { parkLimitMs: 30_000 } : {}),
      }),
    },
    behaviour: ({ initially, during, when }) => [
      initially(
        when('opened', (saga) =>
          saga
            .update(({ data, message }) => {
              data.ref = message.ref ?? null;
            })
            // An amount marks an instance that must be readied before it takes confirmations.
            .if(
              ({ message }) => message.amount !== undefined,
              (then) => then.transitionTo('Pending'),
              (otherwise) => otherwise.transitionTo('Open'),
            ),
        ),
      ),
      during(
        'Pending',
        when('readied', (saga) => saga.transitionTo('Open')),
      ),
      during(
        'Open',
        when('confirmed', (saga) =>
          saga.update(({ data }) => {
            data.confirmed += 1;
          }),
        ),
      ),
    ],
  });
}

describe('SagaEngine: messages that find no instance', () => {
  it('ignores them with whenMissing "ignore", storing nothing', async () => {
    const { handle, byKey } = harness(parkingSaga({ whenMissing: 'ignore' }));
    const outcome = await handle('confirmed', { ref: 'R-1' });
    assert.deepEqual(outcome, {
      result: 'ignored',
      sagaId: undefined,
      state: undefined,
      effects: [],
      transitions: [],
    });
    assert.equal(await byKey('ref', 'R-1'), undefined);
  });

  it('faults with SagaNotFoundError naming the key and the event with whenMissing "fault"', async () => {
    const { handle, byKey } = harness(parkingSaga({ whenMissing: 'fault' }));
    await assert.rejects(
      handle('confirmed', { ref: 'R-1' }, { messageId: 'conf' }),
      (error: unknown) =>
        error instanceof SagaNotFoundError &&
        /No sagatest\.Parking saga with ref="R-1" for sagatest\.engine\.Confirmed \(message conf\), and "confirmed" cannot start one/.test(
          error.message,
        ),
    );
    assert.equal(await byKey('ref', 'R-1'), undefined);
  });

  it('parks them in a placeholder in the Initial state, which an instance taking the key absorbs', async () => {
    const { handle, load, byKey, inspector, timeline, dataOf } = harness(
      parkingSaga({ whenMissing: 'park' }),
    );
    const parked = await handle('confirmed', { ref: 'R-1' }, { messageId: 'conf' });
    assert.equal(parked.result, 'held');
    assert.equal(parked.sagaId, 'id-1', 'a placeholder found by key gets an id from newId');
    assert.equal(parked.state, 'Initial');
    assert.deepEqual(parked.transitions, []);
    const [expiry] = parked.effects;
    assert.ok(expiry?.kind === 'expireHeld');
    assert.equal(expiry.sagaId, 'id-1');
    assert.equal(expiry.heldMessageId, 'conf');
    assert.deepEqual(expiry.dueAt, new Date(fixedTime + 30_000));

    const placeholder = await inspector.find({ key: 'ref', value: 'R-1' });
    assert.equal(placeholder?.state, 'Initial');
    assert.deepEqual(placeholder?.keys, { ref: 'R-1' });
    assert.deepEqual(
      placeholder?.held.map((each) => [each.messageId, each.reason, each.expiresAt]),
      [['conf', 'parked', new Date(fixedTime + 30_000).toISOString()]],
    );

    const opened = await handle('opened', { id: 'o-1', ref: 'R-1' }, { messageId: 'open' });
    assert.equal(opened.result, 'applied');
    assert.equal(opened.sagaId, 'o-1');
    assert.deepEqual(
      opened.effects,
      [{ kind: 'unschedule', token: expiry.token }],
      'the applied message cancels its expiry',
    );
    assert.equal(await load('id-1'), undefined, 'the placeholder is gone');
    const instance = await byKey('ref', 'R-1');
    assert.equal(instance?.id, 'o-1');
    assert.equal(instance?.state, 'Open');
    assert.equal((await dataOf<ParkingData>('o-1')).confirmed, 1);
    assert.deepEqual(await timeline('o-1'), ['∅ -opened-> Open (open)', 'Open -confirmed-> Open (conf)']);
  });

  it('adds later messages for the same key to the same placeholder', async () => {
    const { handle, inspector, dataOf } = harness(parkingSaga({ whenMissing: 'park' }));
    const first = await handle('confirmed', { ref: 'R-1' }, { messageId: 'c1' });
    const second = await handle('confirmed', { ref: 'R-1' }, { messageId: 'c2' });
    assert.equal(second.sagaId, first.sagaId);
    const placeholder = await inspector.find({ key: 'ref', value: 'R-1' });
    assert.deepEqual(
      placeholder?.held.map((each) => each.messageId),
      ['c1', 'c2'],
    );
    assert.equal(placeholder?.version, 2);
    await handle('opened', { id: 'o-1', ref: 'R-1' });
    assert.equal((await dataOf<ParkingData>('o-1')).confirmed, 2);
  });

  it('expels a parked message whose limit passed and removes the emptied placeholder', async () => {
    const { handle, expireHeld, load, byKey } = harness(parkingSaga({ whenMissing: 'park' }));
    const parked = await handle('confirmed', { ref: 'R-1' }, { messageId: 'conf' });
    assert.equal(parked.sagaId, 'id-1');
    const expired = await expireHeld('id-1', 'conf');
    assert.equal(expired.result, 'expired');
    const expel = expired.effects.find((effect) => effect.kind === 'expel');
    assert.ok(expel?.kind === 'expel');
    assert.equal(expel.held.messageId, 'conf');
    assert.equal(expel.messageType, Confirmed);
    assert.match(
      expel.reason,
      /No sagatest\.Parking saga appeared for "confirmed" \(message conf, held since [^)]+\) before its park limit/,
    );
    assert.equal(await load('id-1'), undefined);
    assert.equal(await byKey('ref', 'R-1'), undefined, 'the key is free again');
    assert.equal((await expireHeld('id-1', 'conf')).result, 'stale');
  });

  it('still expires a parked message that the absorbing instance cannot apply yet', async () => {
    const { handle, expireHeld, inspector } = harness(
      parkingSaga({ whenMissing: 'park', onUnexpected: 'defer' }),
    );
    // What the scheduler would still fire: expiries scheduled and not cancelled since.
    const pending = new Map<string, { sagaId: string; heldMessageId: string }>();
    const track = (outcome: SagaOutcome) => {
      for (const effect of outcome.effects) {
        if (effect.kind === 'expireHeld') pending.set(effect.token, effect);
        if (effect.kind === 'unschedule') pending.delete(effect.token);
      }
    };
    track(await handle('confirmed', { ref: 'R-1' }, { messageId: 'conf' }));
    // Pending does not accept confirmations, so the absorbed message stays held (deferred).
    track(await handle('opened', { id: 'o-1', ref: 'R-1', amount: 5 }));
    const view = await inspector.find({ id: 'o-1' });
    assert.equal(view?.state, 'Pending');
    assert.deepEqual(
      view?.held.map((each) => each.messageId),
      ['conf'],
    );
    const fired = [...pending.values()];
    assert.equal(fired.length, 1, 'the held message still has an expiry pending');
    const results = [];
    for (const each of fired) results.push((await expireHeld(each.sagaId, each.heldMessageId)).result);
    assert.deepEqual(results, ['expired']);
    assert.deepEqual((await inspector.find({ id: 'o-1' }))?.held, []);
  });

  it('takes the tokens of held-message expiries from newId, like other scheduled messages', async () => {
    const { handle } = harness(parkingSaga({ whenMissing: 'park' }));
    const parked = await handle('confirmed', { ref: 'R-1' });
    const [expiry] = parked.effects;
    assert.ok(expiry?.kind === 'expireHeld');
    assert.match(expiry.token, /^id-\d+$/);
  });
});

describe('SagaEngine: correlation', () => {
  it('refuses a key value another live instance holds (SagaKeyConflictError), storing nothing for the newcomer', async () => {
    const { handle, load, byKey } = harness(parkingSaga({ whenMissing: 'park' }));
    await handle('opened', { id: 'o-1', ref: 'R-1' });
    await assert.rejects(
      handle('opened', { id: 'o-2', ref: 'R-1' }),
      (error: unknown) =>
        error instanceof SagaKeyConflictError &&
        /sagatest\.Parking saga o-2 would take ref="R-1", which saga o-1 \(state "Open"\) holds/.test(
          error.message,
        ),
    );
    assert.equal(await load('o-2'), undefined);
    assert.equal((await byKey('ref', 'R-1'))?.id, 'o-1');
  });

  it('refuses an empty correlation value (SagaCorrelationError)', async () => {
    const { handle } = harness(ticketSaga({}));
    await assert.rejects(
      handle('opened', { id: '' }, { messageId: 'bad' }),
      (error: unknown) =>
        error instanceof SagaCorrelationError &&
        /sagatest\.Ticket event "opened" \(sagatest\.engine\.Opened, message bad\) gave "" as its correlation value; expected a non-empty string/.test(
          error.message,
        ),
    );
  });

  it('refuses a message without a correlation id for an event correlated by it, and applies one with it', async () => {
    const { handle, dataOf } = harness(ticketSaga({}));
    await handle('opened', { id: 't-1' });
    await assert.rejects(
      handle('replied', { answer: 'yes' }, { messageId: 'reply' }),
      (error: unknown) =>
        error instanceof SagaCorrelationError &&
        /"replied" \(sagatest\.engine\.Replied, message reply\) correlates by correlation id, but the message has none/.test(
          error.message,
        ),
    );
    const outcome = await handle('replied', { answer: 'yes' }, { correlationId: 't-1' });
    assert.equal(outcome.result, 'applied');
    assert.deepEqual((await dataOf<TicketData>('t-1')).answers, ['yes']);
  });
});

/** Amendments numbered per instance from `first`; each applied number is recorded in order. */
function amendmentSaga(first?: number) {
  return defineSaga({
    name: 'sagatest.Amendments',
    states: ['Open'],
    initialData: () => ({ applied: [] as number[] }),
    events: {
      opened: event(Opened, { byId: (m) => m.id }),
      amended: event(Amended, {
        byId: (m) => m.id,
        sequence: { stream: 'amendments', number: (m) => m.seq, ...(first !== undefined ? { first } : {}) },
      }),
    },
    behaviour: ({ initially, during, when }) => [
      initially(when('opened', (saga) => saga.transitionTo('Open'))),
      during(
        'Open',
        when('amended', (saga) =>
          saga.update(({ data, message }) => {
            data.applied.push(message.seq);
          }),
        ),
      ),
    ],
  });
}

describe('SagaEngine: sequence numbers', () => {
  const applied = async (dataOf: <D>(id: string) => Promise<D>) =>
    (await dataOf<{ applied: number[] }>('a-1')).applied;

  it('holds a message after a gap until the gap is filled, then applies both in order', async () => {
    const { handle, inspector, dataOf } = harness(amendmentSaga());
    await handle('opened', { id: 'a-1' });
    assert.equal((await handle('amended', { id: 'a-1', seq: 1 })).result, 'applied');
    const gap = await handle('amended', { id: 'a-1', seq: 3 }, { messageId: 'three' });
    assert.equal(gap.result, 'held');
    assert.deepEqual(
      (await inspector.find({ id: 'a-1' }))?.held.map((each) => [each.messageId, each.reason]),
      [['three', 'gap']],
    );
    assert.deepEqual(await applied(dataOf), [1]);
    const filled = await handle('amended', { id: 'a-1', seq: 2 }, { messageId: 'two' });
    assert.equal(filled.result, 'applied');
    assert.deepEqual(
      filled.transitions.map((step) => step.messageId),
      ['two', 'three'],
    );
    assert.deepEqual(await applied(dataOf), [1, 2, 3]);
    assert.deepEqual((await inspector.find({ id: 'a-1' }))?.sequences, { amendments: 3 });
  });

  it('drops a number already applied, and one already held, as duplicates without saving', async () => {
    const { handle, inspector, dataOf } = harness(amendmentSaga());
    await handle('opened', { id: 'a-1' });
    await handle('amended', { id: 'a-1', seq: 1 });
    await handle('amended', { id: 'a-1', seq: 3 });
    const before = (await inspector.find({ id: 'a-1' }))?.version;
    assert.equal((await handle('amended', { id: 'a-1', seq: 1 })).result, 'duplicate');
    assert.equal((await handle('amended', { id: 'a-1', seq: 3 })).result, 'duplicate');
    const view = await inspector.find({ id: 'a-1' });
    assert.equal(view?.version, before);
    assert.equal(view?.held.length, 1);
    assert.deepEqual(await applied(dataOf), [1]);
  });

  it('starts each stream at 1 by default, so a 0 is a duplicate', async () => {
    const { handle, dataOf } = harness(amendmentSaga());
    await handle('opened', { id: 'a-1' });
    assert.equal((await handle('amended', { id: 'a-1', seq: 0 })).result, 'duplicate');
    assert.deepEqual(await applied(dataOf), []);
  });

  it('starts the stream at the given first number', async () => {
    const { handle, dataOf } = harness(amendmentSaga(0));
    await handle('opened', { id: 'a-1' });
    assert.equal((await handle('amended', { id: 'a-1', seq: 1 })).result, 'held', '1 waits for 0');
    assert.equal((await handle('amended', { id: 'a-1', seq: 0 })).result, 'applied');
    assert.deepEqual(await applied(dataOf), [0, 1]);
  });

  it('refuses a sequence number that is not an integer', async () => {
    const { handle } = harness(amendmentSaga());
    await handle('opened', { id: 'a-1' });
    await assert.rejects(handle('amended', { id: 'a-1', seq: 1.5 }), (error: unknown) => {
      return (
        error instanceof SagaCorrelationError &&
        /gave sequence number 1\.5; expected an integer/.test(error.message)
      );
    });
  });
});

/**
 * `both` is raised when partA and partB have both been applied, but only Checking accepts it: parts may
 * arrive in Collecting, and the composite waits for the check.
 */
function compositeSaga() {
  return defineSaga({
    name: 'sagatest.Composite',
    states: ['Collecting', 'Checking', 'Done'],
    initialData: () => ({ parts: [] as string[] }),
    events: {
      opened: event(Opened, { byId: (m) => m.id }),
      partA: event(PartA, { byId: (m) => m.id }),
      partB: event(PartB, { byId: (m) => m.id }),
      checked: event(Checked, { byId: (m) => m.id }),
    },
    composites: { both: ['partA', 'partB'] },
    behaviour: ({ initially, during, duringAny, when }) => [
      initially(when('opened', (saga) => saga.transitionTo('Collecting'))),
      during(
        'Collecting',
        when('checked', (saga) => saga.transitionTo('Checking')),
      ),
      during(
        'Checking',
        when('both', (saga) =>
          saga.publish(Completed, ({ sagaId }) => ({ id: sagaId })).transitionTo('Done'),
        ),
      ),
      duringAny(
        when('partA', (saga) =>
          saga.update(({ data }) => {
            data.parts.push('A');
          }),
        ),
        when('partB', (saga) =>
          saga.update(({ data }) => {
            data.parts.push('B');
          }),
        ),
      ),
    ],
  });
}

describe('SagaEngine: composite events', () => {
  it('raises the composite once, in the first state that accepts it, after its parts arrived elsewhere', async () => {
    const { handle, timeline } = harness(compositeSaga());
    await handle('opened', { id: 'c-1' }, { messageId: 'open' });
    await handle('partB', { id: 'c-1' }, { messageId: 'b' });
    const partA = await handle('partA', { id: 'c-1' }, { messageId: 'a' });
    assert.deepEqual(partA.effects, [], 'Collecting does not accept the composite');
    const checked = await handle('checked', { id: 'c-1' }, { messageId: 'check' });
    assert.equal(checked.state, 'Done');
    assert.deepEqual(checked.effects, [{ kind: 'publish', messageType: Completed, message: { id: 'c-1' } }]);
    // Parts arriving again do not raise it again.
    const again = await handle('partA', { id: 'c-1' }, { messageId: 'a2' });
    assert.deepEqual(again.effects, []);
    assert.deepEqual(await timeline('c-1'), [
      '∅ -opened-> Collecting (open)',
      'Collecting -partB-> Collecting (b)',
      'Collecting -partA-> Collecting (a)',
      'Collecting -checked-> Checking (check)',
      'Checking -both-> Done (check)',
      'Done -partA-> Done (a2)',
    ]);
  });

  it('raises the composite in the unit of its last part when the state already accepts it', async () => {
    const { handle } = harness(compositeSaga());
    await handle('opened', { id: 'c-1' });
    await handle('checked', { id: 'c-1' });
    const first = await handle('partA', { id: 'c-1' });
    assert.deepEqual(kinds(first.effects), []);
    const last = await handle('partB', { id: 'c-1' }, { messageId: 'b' });
    assert.deepEqual(
      last.transitions.map((step) => `${step.from} -${step.event}-> ${step.to}`),
      ['Checking -partB-> Checking', 'Checking -both-> Done'],
    );
    assert.deepEqual(kinds(last.effects), ['publish']);
  });
});

describe('SagaEngine: if branches', () => {
  it('runs the branch the condition picks', async () => {
    const { handle } = harness(parkingSaga({ whenMissing: 'fault' }));
    assert.equal((await handle('opened', { id: 'o-1', ref: 'R-1', amount: 10 })).state, 'Pending');
    assert.equal((await handle('opened', { id: 'o-2', ref: 'R-2' })).state, 'Open');
  });
});

describe('SagaEngine: finalization', () => {
  it('runs finally and keeps the instance in Final by default; later events there fault', async () => {
    const { handle, load } = harness(ticketSaga({ onUnexpected: 'defer' }));
    await handle('opened', { id: 't-1' });
    await handle('readied', { id: 't-1' });
    await handle('noted', { id: 't-1', text: 'one' });
    const closed = await handle('closed', { id: 't-1' });
    assert.equal(closed.state, 'Final');
    assert.deepEqual(closed.effects, [
      { kind: 'publish', messageType: Archived, message: { id: 't-1', notes: 1 } },
    ]);
    assert.equal((await load('t-1'))?.state, 'Final');
    await assert.rejects(handle('readied', { id: 't-1' }), UnexpectedSagaEventError);
  });

  it('removes the record with removeWhenFinalized but keeps the timeline', async () => {
    const { handle, load, timeline, inspector } = harness(ticketSaga({ removeWhenFinalized: true }));
    await handle('opened', { id: 't-1' }, { messageId: 'open' });
    const closed = await handle('closed', { id: 't-1' }, { messageId: 'close' });
    assert.equal(closed.result, 'applied');
    assert.deepEqual(kinds(closed.effects), ['publish']);
    assert.equal(await load('t-1'), undefined);
    assert.deepEqual(await timeline('t-1'), ['∅ -opened-> Open (open)', 'Open -closed-> Final (close)']);
    const view = await inspector.find({ id: 't-1' });
    assert.equal(view?.state, undefined, 'the inspector shows the timeline of a removed instance');
    assert.equal(view?.timeline.length, 2);
  });

  it('sends messages still held at finalization back as expel effects, and cancels their expiries', async () => {
    const { handle, load } = harness(
      ticketSaga({ onUnexpected: 'defer', deferLimitMs: 5_000, removeWhenFinalized: true }),
    );
    await handle('opened', { id: 't-1' });
    const held = await handle('noted', { id: 't-1', text: 'never' }, { messageId: 'note' });
    const [expiry] = held.effects;
    assert.ok(expiry?.kind === 'expireHeld');
    const closed = await handle('closed', { id: 't-1' });
    assert.deepEqual(kinds(closed.effects), ['publish', 'unschedule', 'expel']);
    assert.deepEqual(closed.effects[1], { kind: 'unschedule', token: expiry.token });
    const expel = closed.effects[2];
    assert.ok(expel?.kind === 'expel');
    assert.equal(expel.held.messageId, 'note');
    assert.equal(expel.messageType, Noted);
    assert.match(
      expel.reason,
      /sagatest\.Ticket saga t-1 finished before it could apply "noted" \(held as deferred\)/,
    );
    assert.equal(await load('t-1'), undefined);
  });
});

/** `opened` schedules a reminder; `poked` schedules it again, later; the reminder counts. */
function reminderSaga() {
  return defineSaga({
    name: 'sagatest.Reminder',
    states: ['Waiting'],
    initialData: () => ({ reminders: 0 }),
    events: {
      opened: event(Opened, { byId: (m) => m.id }),
      poked: event(Poked, { byId: (m) => m.id }),
      reminded: event(Reminded, { byId: (m) => m.id }),
    },
    behaviour: ({ initially, during, when }) => [
      initially(
        when('opened', (saga) =>
          saga
            .schedule('reminded', { afterMs: 60_000 }, ({ sagaId }) => ({ id: sagaId }))
            .transitionTo('Waiting'),
        ),
      ),
      during(
        'Waiting',
        when('poked', (saga) =>
          saga.schedule(
            'reminded',
            ({ now }) => new Date(now.getTime() + 120_000),
            ({ sagaId }) => ({ id: sagaId }),
          ),
        ),
        when('reminded', (saga) =>
          saga.update(({ data }) => {
            data.reminders += 1;
          }),
        ),
      ),
    ],
  });
}

describe('SagaEngine: scheduled events', () => {
  it('returns a schedule effect with a token from newId and the due time from the clock', async () => {
    const { handle, inspector } = harness(reminderSaga());
    const opened = await handle('opened', { id: 'r-1' });
    assert.deepEqual(opened.effects, [
      {
        kind: 'schedule',
        token: 'id-1',
        dueAt: new Date(fixedTime + 60_000),
        event: 'reminded',
        messageType: Reminded,
        message: { id: 'r-1' },
      },
    ]);
    assert.deepEqual((await inspector.find({ id: 'r-1' }))?.scheduled, { reminded: 'id-1' });
  });

  it('scheduling the event again unschedules the earlier token', async () => {
    const { handle, inspector } = harness(reminderSaga());
    await handle('opened', { id: 'r-1' });
    const poked = await handle('poked', { id: 'r-1' });
    assert.deepEqual(poked.effects, [
      { kind: 'unschedule', token: 'id-1' },
      {
        kind: 'schedule',
        token: 'id-2',
        dueAt: new Date(fixedTime + 120_000),
        event: 'reminded',
        messageType: Reminded,
        message: { id: 'r-1' },
      },
    ]);
    assert.deepEqual((await inspector.find({ id: 'r-1' }))?.scheduled, { reminded: 'id-2' });
  });

  it('applies only the current scheduled message; replaced or already applied ones are stale', async () => {
    const { handle, inspector } = harness(reminderSaga());
    await handle('opened', { id: 'r-1' });
    await handle('poked', { id: 'r-1' });
    const version = (await inspector.find({ id: 'r-1' }))?.version;

    const replaced = await handle('reminded', { id: 'r-1' }, { messageId: 'id-1', scheduledAs: 'reminded' });
    assert.deepEqual(replaced, {
      result: 'stale',
      sagaId: 'r-1',
      state: 'Waiting',
      effects: [],
      transitions: [],
    });
    assert.equal((await inspector.find({ id: 'r-1' }))?.version, version, 'a stale message changes nothing');

    const current = await handle('reminded', { id: 'r-1' }, { messageId: 'id-2', scheduledAs: 'reminded' });
    assert.equal(current.result, 'applied');
    const view = await inspector.find({ id: 'r-1' });
    assert.deepEqual(view?.data, { reminders: 1 });
    assert.deepEqual(view?.scheduled, {}, 'the applied scheduled message is no longer awaited');

    const again = await handle('reminded', { id: 'r-1' }, { messageId: 'id-2', scheduledAs: 'reminded' });
    assert.equal(again.result, 'stale');
    assert.deepEqual((await inspector.find({ id: 'r-1' }))?.data, { reminders: 1 });
  });

  it('treats a scheduled message for an instance that does not exist as stale', async () => {
    const { handle, load } = harness(reminderSaga());
    const outcome = await handle(
      'reminded',
      { id: 'nobody' },
      { messageId: 'id-9', scheduledAs: 'reminded' },
    );
    assert.equal(outcome.result, 'stale');
    assert.equal(await load('nobody'), undefined);
  });
});

describe('SagaEngine: transactions', () => {
  it('leaves the store as it was when the transaction fails after handle', async () => {
    const { database, engine, incoming, load, timeline, inspector } = harness(
      ticketSaga({ onUnexpected: 'defer' }),
    );
    const crash = (message: IncomingSagaMessage) =>
      database.transaction(async (tx) => {
        const outcome = await engine.handle(tx, message);
        assert.ok(outcome.result === 'applied' || outcome.result === 'held', 'the work itself succeeded');
        throw new Error('crash before commit');
      });
    await assert.rejects(
      crash(incoming('opened', { id: 't-1' }, { messageId: 'lost' })),
      /crash before commit/,
    );
    assert.equal(await load('t-1'), undefined, 'a new instance is not stored');
    assert.deepEqual(await timeline('t-1'), [], 'nor is its transition');

    await database.transaction((tx) =>
      engine.handle(tx, incoming('opened', { id: 't-1' }, { messageId: 'open' })),
    );
    const before = await inspector.find({ id: 't-1' });
    assert.equal(before?.version, 1);
    await assert.rejects(crash(incoming('noted', { id: 't-1', text: 'x' })), /crash before commit/);
    await assert.rejects(crash(incoming('readied', { id: 't-1' })), /crash before commit/);
    assert.deepEqual(await inspector.find({ id: 't-1' }), before);
  });
});

describe('SagaEngine: a sequence gap with a time limit', () => {
  const Counted = defineMessage('sagatest.gaplimit.Counted', z.object({ id: z.string(), n: z.number() }));
  const definition = defineSaga({
    name: 'sagatest.GapLimit',
    states: ['Counting'],
    initialData: () => ({ seen: [] as number[] }),
    events: {
      counted: event(Counted, {
        byId: (m) => m.id,
        sequence: { stream: 'counts', number: (m) => m.n, gapLimitMs: 5_000 },
      }),
    },
    behaviour: ({ initially, during, when }) => [
      initially(
        when('counted', (saga) =>
          saga.update(({ data, message }) => void data.seen.push(message.n)).transitionTo('Counting'),
        ),
      ),
      during(
        'Counting',
        when('counted', (saga) => saga.update(({ data, message }) => void data.seen.push(message.n))),
      ),
    ],
  });

  it('schedules an expiry for a message waiting on a gap, and expels it when the gap stays open', async () => {
    const database = new MemoryDatabase();
    const store = new MemorySagaStore(database);
    let id = 0;
    const engine = new SagaEngine(definition, store, {
      now: () => Date.parse('2030-01-01T00:00:00Z'),
      newId: () => `id-${++id}`,
    });
    const held = await database.transaction((tx) =>
      engine.handle(tx, {
        event: engine.eventFor(Counted) as SagaEvent,
        message: { id: 'g-1', n: 2 },
        messageId: 'm-2',
      }),
    );
    assert.equal(held.result, 'held');
    const expiry = held.effects.find((effect) => effect.kind === 'expireHeld');
    assert.deepEqual(expiry && { dueAt: expiry.dueAt.toISOString(), heldMessageId: expiry.heldMessageId }, {
      dueAt: '2030-01-01T00:00:05.000Z',
      heldMessageId: 'm-2',
    });
    const expired = await database.transaction((tx) => engine.expireHeld(tx, 'g-1', 'm-2'));
    const expel = expired.effects.find((effect) => effect.kind === 'expel');
    assert.match(expel?.kind === 'expel' ? expel.reason : '', /did not arrive before its gap limit/);
  });
});

describe('SagaEngine: the blue/green slot an instance started in', () => {
  const ticket = () =>
    defineSaga({
      name: 'sagatest.SlottedTicket',
      states: ['Open', 'Ready'],
      initialData: () => ({}),
      // Ready waits only for outside events: it no longer holds its slot open.
      settledStates: ['Ready'],
      events: {
        opened: event(Opened, { byId: (m) => m.id }),
        readied: event(Readied, { byId: (m) => m.id }),
      },
      behaviour: ({ initially, during, when }) => [
        initially(
          when('opened', (saga) =>
            saga.publish(Closed, ({ sagaId }) => ({ id: sagaId })).transitionTo('Open'),
          ),
        ),
        during(
          'Open',
          when('readied', (saga) =>
            saga.publish(Closed, ({ sagaId }) => ({ id: sagaId })).transitionTo('Ready'),
          ),
        ),
      ],
    });

  it('remembers the slot queue it started in, binds what it produces to that slot wherever a step runs, and says when it settles', async () => {
    const { handle, load } = harness(ticket());
    const started = await handle('opened', { id: 't-1' }, { endpoint: 'tickets@blue' });
    assert.equal(started.slot, 'blue');
    const bookkeeping = async () => {
      const record = await load('t-1');
      assert.ok(record, 'the instance is stored');
      return (record.data as { bookkeeping: Record<string, unknown> }).bookkeeping;
    };
    assert.deepEqual(
      [(await bookkeeping()).startedIn, (await bookkeeping()).settled],
      ['tickets@blue', false],
    );
    const readied = await handle('readied', { id: 't-1' }, { endpoint: 'tickets@green' });
    assert.equal(readied.slot, 'blue', 'a step run in green still produces for blue');
    assert.deepEqual(
      [(await bookkeeping()).startedIn, (await bookkeeping()).settled],
      ['tickets@blue', true],
    );
  });

  it('remembers nothing for an instance started outside any slot', async () => {
    const { handle, load } = harness(ticket());
    const started = await handle('opened', { id: 't-2' }, { endpoint: 'tickets' });
    assert.equal(started.slot, undefined);
    const record = await load('t-2');
    assert.ok(record, 'the instance is stored');
    const { bookkeeping } = record.data as { bookkeeping: Record<string, unknown> };
    assert.equal('startedIn' in bookkeeping || 'settled' in bookkeeping, false);
  });

  it('refuses a settled state the saga does not have', () => {
    assert.throws(
      () =>
        defineSaga({
          name: 'sagatest.Bad',
          states: ['Open'],
          initialData: () => ({}),
          settledStates: ['Shut' as 'Open'],
          events: { opened: event(Opened, { byId: (m) => m.id }) },
          behaviour: ({ initially, when }) => [
            initially(when('opened', (saga) => saga.transitionTo('Open'))),
          ],
        }),
      /"Shut" in settledStates, which is not one of its states \(Open\)/,
    );
  });
});
