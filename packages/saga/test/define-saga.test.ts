import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError, defineMessage } from '@switchyard/bus';
import { z } from 'zod';
import { defineSaga, event } from '../src/index.ts';

// Small message types for definitions that only need to be built, never run.
const Opened = defineMessage('sagatest.definition.Opened', z.object({ id: z.string() }));
const Noted = defineMessage('sagatest.definition.Noted', z.object({ id: z.string(), seq: z.number() }));
const Closed = defineMessage('sagatest.definition.Closed', z.object({ id: z.string() }));

const events = () => ({
  opened: event(Opened, { byId: (m) => m.id }),
  noted: event(Noted, { byId: (m) => m.id }),
  closed: event(Closed, { byId: (m) => m.id }),
});

/** Asserts `build` throws a ConfigurationError whose message matches `message` (which names the offending part). */
function throwsConfiguration(build: () => unknown, message: RegExp): void {
  assert.throws(build, (error: unknown) => {
    assert.ok(error instanceof ConfigurationError, `expected a ConfigurationError, got ${String(error)}`);
    assert.match(error.message, message);
    return true;
  });
}

describe('defineSaga configuration errors', () => {
  for (const reserved of ['Initial', 'Final']) {
    it(`refuses the reserved state name ${reserved}`, () => {
      throwsConfiguration(
        () =>
          defineSaga({
            name: 'sagatest.Reserved',
            states: ['Open', reserved],
            initialData: () => ({}),
            events: events(),
            behaviour: () => [],
          }),
        new RegExp(`Saga "sagatest\\.Reserved": "${reserved}" is reserved`),
      );
    });
  }

  for (const bad of ['', '1st', 'has space', 'dash-ed', '_under']) {
    it(`refuses the state name ${JSON.stringify(bad)}`, () => {
      throwsConfiguration(
        () =>
          defineSaga({
            name: 'sagatest.BadState',
            states: [bad],
            initialData: () => ({}),
            events: events(),
            behaviour: () => [],
          }),
        new RegExp(`state "${bad}" must be a letter followed by letters, digits or "_"`),
      );
    });
  }

  it('accepts state names of letters, digits and underscores', () => {
    const definition = defineSaga({
      name: 'sagatest.GoodStates',
      states: ['A', 'b_2', 'Awaiting_Parts9'],
      initialData: () => ({}),
      events: events(),
      behaviour: () => [],
    });
    assert.deepEqual(definition.states, ['A', 'b_2', 'Awaiting_Parts9']);
  });

  it('refuses a transition to an undeclared state, naming the clause and the declared states', () => {
    throwsConfiguration(
      () =>
        defineSaga({
          name: 'sagatest.Undeclared',
          states: ['Open'],
          initialData: () => ({}),
          events: events(),
          behaviour: ({ initially, during, when }) => [
            initially(when('opened', (saga) => saga.transitionTo('Open'))),
            during(
              'Open',
              // @ts-expect-error the types reject an undeclared state too
              when('closed', (saga) => saga.transitionTo('Shut')),
            ),
          ],
        }),
      /when\("closed"\) transitions to "Shut", which is not a declared state \(declared: Open\)/,
    );
  });

  it('refuses a transition to an undeclared state inside an if branch', () => {
    throwsConfiguration(
      () =>
        defineSaga({
          name: 'sagatest.UndeclaredInIf',
          states: ['Open'],
          initialData: () => ({}),
          events: events(),
          behaviour: ({ initially, during, when }) => [
            initially(when('opened', (saga) => saga.transitionTo('Open'))),
            during(
              'Open',
              when('noted', (saga) =>
                saga.if(
                  () => true,
                  (then) => then,
                  (otherwise) => otherwise.transitionTo('Elsewhere' as 'Open'),
                ),
              ),
            ),
          ],
        }),
      /when\("noted"\) transitions to "Elsewhere"/,
    );
  });

  it('refuses a transition to an undeclared state in finally', () => {
    throwsConfiguration(
      () =>
        defineSaga({
          name: 'sagatest.UndeclaredInFinally',
          states: ['Open'],
          initialData: () => ({}),
          events: events(),
          behaviour: (b) => [
            b.initially(b.when('opened', (saga) => saga.finalize())),
            b.finally((saga) => saga.transitionTo('Gone' as 'Open')),
          ],
        }),
      /finally transitions to "Gone"/,
    );
  });

  it('refuses when() of an undeclared event', () => {
    throwsConfiguration(
      () =>
        defineSaga({
          name: 'sagatest.UnknownEvent',
          states: ['Open'],
          initialData: () => ({}),
          events: events(),
          behaviour: ({ initially, during, when }) => [
            initially(when('opened', (saga) => saga.transitionTo('Open'))),
            during(
              'Open',
              // @ts-expect-error the types reject an undeclared event too
              when('reopened', (saga) => saga),
            ),
          ],
        }),
      /when\("reopened"\) names an event that is not declared/,
    );
  });

  it('refuses during() of an undeclared state', () => {
    throwsConfiguration(
      () =>
        defineSaga({
          name: 'sagatest.UnknownDuring',
          states: ['Open'],
          initialData: () => ({}),
          events: events(),
          behaviour: ({ initially, during, when }) => [
            initially(when('opened', (saga) => saga.transitionTo('Open'))),
            during(
              // @ts-expect-error the types reject an undeclared state too
              ['Open', 'Closing'],
              when('closed', (saga) => saga.finalize()),
            ),
          ],
        }),
      /during\("Closing"\) names a state that is not declared/,
    );
  });

  it('refuses two events on one message type, naming both', () => {
    throwsConfiguration(
      () =>
        defineSaga({
          name: 'sagatest.SharedType',
          states: ['Open'],
          initialData: () => ({}),
          events: {
            opened: event(Opened, { byId: (m) => m.id }),
            reopened: event(Opened, { byId: (m) => m.id }),
          },
          behaviour: () => [],
        }),
      /events "opened" and "reopened" both use sagatest\.definition\.Opened/,
    );
  });

  it('refuses a composite of fewer than two events', () => {
    throwsConfiguration(
      () =>
        defineSaga({
          name: 'sagatest.ShortComposite',
          states: ['Open'],
          initialData: () => ({}),
          events: events(),
          composites: { onlyOne: ['noted'] },
          behaviour: () => [],
        }),
      /composite "onlyOne" needs at least two events, got 1/,
    );
  });

  it('refuses a state declared twice', () => {
    throwsConfiguration(
      () =>
        defineSaga({
          name: 'sagatest.TwiceState',
          states: ['Open', 'Open'],
          initialData: () => ({}),
          events: events(),
          behaviour: () => [],
        }),
      /state "Open" is declared twice/,
    );
  });

  it('refuses a composite that lists an event twice (it would fire after one)', () => {
    throwsConfiguration(
      () =>
        defineSaga({
          name: 'sagatest.TwicePart',
          states: ['Open'],
          initialData: () => ({}),
          events: events(),
          composites: { both: ['noted', 'noted'] },
          behaviour: () => [],
        }),
      /composite "both" lists "noted" twice/,
    );
  });

  it('refuses a composite that lists an undeclared event', () => {
    throwsConfiguration(
      () =>
        defineSaga({
          name: 'sagatest.UnknownPart',
          states: ['Open'],
          initialData: () => ({}),
          events: events(),
          // @ts-expect-error the types reject an undeclared part too
          composites: { both: ['noted', 'signed'] },
          behaviour: () => [],
        }),
      /composite "both" lists "signed", which is not a declared event/,
    );
  });

  it('refuses a composite with the name of a declared event', () => {
    throwsConfiguration(
      () =>
        defineSaga({
          name: 'sagatest.ClashingComposite',
          states: ['Open'],
          initialData: () => ({}),
          events: events(),
          composites: { closed: ['opened', 'noted'] },
          behaviour: () => [],
        }),
      /composite "closed" has the name of a declared event/,
    );
  });

  it('refuses an initially clause that does not leave the initial state', () => {
    throwsConfiguration(
      () =>
        defineSaga({
          name: 'sagatest.StaysInitial',
          states: ['Open'],
          initialData: () => ({ count: 0 }),
          events: events(),
          behaviour: ({ initially, when }) => [
            initially(
              when('opened', (saga) =>
                saga.update(({ data }) => {
                  data.count += 1;
                }),
              ),
            ),
          ],
        }),
      /initially when\("opened"\) must transitionTo a state or finalize on every path/,
    );
  });

  it('refuses an initially clause whose if leaves the initial state on one branch only', () => {
    throwsConfiguration(
      () =>
        defineSaga({
          name: 'sagatest.HalfLeaves',
          states: ['Open'],
          initialData: () => ({}),
          events: events(),
          behaviour: ({ initially, when }) => [
            initially(
              when('noted', (saga) =>
                saga.if(
                  ({ message }) => message.seq > 0,
                  (then) => then.transitionTo('Open'),
                ),
              ),
            ),
          ],
        }),
      /initially when\("noted"\) must transitionTo a state or finalize on every path/,
    );
  });

  it('accepts an initially clause that leaves on both branches of an if', () => {
    const definition = defineSaga({
      name: 'sagatest.BothLeave',
      states: ['Open'],
      initialData: () => ({}),
      events: events(),
      behaviour: ({ initially, when }) => [
        initially(
          when('noted', (saga) =>
            saga.if(
              ({ message }) => message.seq > 0,
              (then) => then.transitionTo('Open'),
              (otherwise) => otherwise.finalize(),
            ),
          ),
        ),
      ],
    });
    assert.equal(definition.behaviours.length, 1);
  });

  it('refuses finally given twice', () => {
    throwsConfiguration(
      () =>
        defineSaga({
          name: 'sagatest.TwoFinally',
          states: ['Open'],
          initialData: () => ({}),
          events: events(),
          behaviour: (b) => [
            b.initially(b.when('opened', (saga) => saga.finalize())),
            b.finally((saga) => saga),
            b.finally((saga) => saga),
          ],
        }),
      /finally is given 2 times; give it once/,
    );
  });

  it('refuses schedule of an undeclared event', () => {
    throwsConfiguration(
      () =>
        defineSaga({
          name: 'sagatest.ScheduleUnknown',
          states: ['Open'],
          initialData: () => ({}),
          events: events(),
          behaviour: ({ initially, when }) => [
            initially(
              when('opened', (saga) =>
                // @ts-expect-error the types reject an undeclared event too
                saga.schedule('reminder', { afterMs: 1_000 }, () => ({})).transitionTo('Open'),
              ),
            ),
          ],
        }),
      /when\("opened"\) schedules "reminder", which is not a declared event/,
    );
  });

  it('refuses unschedule of an undeclared event', () => {
    throwsConfiguration(
      () =>
        defineSaga({
          name: 'sagatest.UnscheduleUnknown',
          states: ['Open'],
          initialData: () => ({}),
          events: events(),
          behaviour: ({ initially, when }) => [
            // @ts-expect-error the types reject an undeclared event too
            initially(when('opened', (saga) => saga.unschedule('reminder').transitionTo('Open'))),
          ],
        }),
      /when\("opened"\) schedules "reminder", which is not a declared event/,
    );
  });

  for (const afterMs of [-1, Number.NaN]) {
    it(`refuses schedule with afterMs ${afterMs}`, () => {
      throwsConfiguration(
        () =>
          defineSaga({
            name: 'sagatest.ScheduleNegative',
            states: ['Open'],
            initialData: () => ({}),
            events: events(),
            behaviour: ({ initially, when }) => [
              initially(
                when('opened', (saga) =>
                  saga.schedule('closed', { afterMs }, ({ sagaId }) => ({ id: sagaId })).transitionTo('Open'),
                ),
              ),
            ],
          }),
        new RegExp(`when\\("opened"\\) schedules "closed" with afterMs ${afterMs}; use a number ≥ 0`),
      );
    });
  }
});

describe('event configuration errors', () => {
  for (const parkLimitMs of [undefined, 0, -5, Number.POSITIVE_INFINITY, Number.NaN]) {
    it(`refuses whenMissing "park" with parkLimitMs ${parkLimitMs}`, () => {
      throwsConfiguration(
        () =>
          event(Noted, {
            byId: (m) => m.id,
            whenMissing: 'park',
            ...(parkLimitMs === undefined ? {} : { parkLimitMs }),
          }),
        new RegExp(
          `Event on sagatest\\.definition\\.Noted: whenMissing "park" needs parkLimitMs, a positive number of milliseconds, got ${parkLimitMs}`,
        ),
      );
    });
  }

  for (const deferLimitMs of [0, -1, Number.POSITIVE_INFINITY, Number.NaN]) {
    it(`refuses deferLimitMs ${deferLimitMs}`, () => {
      throwsConfiguration(
        () => event(Noted, { byId: (m) => m.id, onUnexpected: 'defer', deferLimitMs }),
        new RegExp(
          `Event on sagatest\\.definition\\.Noted: deferLimitMs must be a positive number of milliseconds, got ${deferLimitMs}`,
        ),
      );
    });
  }

  it('refuses a sequence whose first number is not an integer', () => {
    throwsConfiguration(
      () =>
        event(Noted, { byId: (m) => m.id, sequence: { stream: 'notes', number: (m) => m.seq, first: 0.5 } }),
      /Event on sagatest\.definition\.Noted: sequence\.first must be an integer, got 0\.5/,
    );
  });

  it('fills in the default policies', () => {
    const spec = event(Noted, { byKey: 'ref', value: (m) => m.id });
    assert.equal(spec.correlation.kind, 'key');
    assert.equal(spec.onUnexpected, 'fault');
    assert.equal(spec.whenMissing, 'fault');
    assert.equal(spec.deferLimitMs, undefined);
    assert.equal(spec.parkLimitMs, undefined);
    assert.deepEqual(event(Noted, { byCorrelationId: true }).correlation, { kind: 'correlationId' });
  });
});

describe('a saga definition', () => {
  it('is an inspectable value: states, named events, composites and behaviours of activity kinds', () => {
    const Published = defineMessage('sagatest.definition.Published', z.object({ id: z.string() }));
    const definition = defineSaga({
      name: 'sagatest.Inspectable',
      states: ['Open', 'Closing'],
      initialData: () => ({ notes: 0 }),
      keys: { external: () => undefined },
      events: events(),
      composites: { done: ['noted', 'closed'] },
      behaviour: ({ initially, during, duringAny, when, finally: atEnd }) => [
        initially(
          when('opened', (saga) =>
            saga.schedule('closed', { afterMs: 5 }, ({ sagaId }) => ({ id: sagaId })).transitionTo('Open'),
          ),
        ),
        during(
          'Open',
          when('noted', (saga) =>
            saga.if(
              ({ message }) => message.seq > 3,
              (then) => then.transitionTo('Closing'),
            ),
          ),
        ),
        during(
          ['Open', 'Closing'],
          when('done', (saga) => saga.unschedule('closed').finalize()),
        ),
        duringAny(
          when('closed', (saga) =>
            saga.update(({ data }) => {
              data.notes += 1;
            }),
          ),
        ),
        atEnd((saga) => saga.publish(Published, ({ sagaId }) => ({ id: sagaId }))),
      ],
    });

    assert.equal(definition.name, 'sagatest.Inspectable');
    assert.deepEqual(definition.states, ['Open', 'Closing']);
    assert.deepEqual(definition.initialData(), { notes: 0 });
    assert.equal(definition.removeWhenFinalized, false, 'finalized instances stay by default');
    assert.deepEqual(Object.keys(definition.keys), ['external']);
    // defineSaga names each event after its key.
    assert.deepEqual(
      Object.values(definition.events).map((each) => [each.name, each.messageType.name]),
      [
        ['opened', 'sagatest.definition.Opened'],
        ['noted', 'sagatest.definition.Noted'],
        ['closed', 'sagatest.definition.Closed'],
      ],
    );
    assert.deepEqual(definition.composites, { done: ['noted', 'closed'] });

    const summary = definition.behaviours.map((behaviour) =>
      behaviour.kind === 'finally'
        ? { finally: behaviour.activities.map((activity) => activity.kind) }
        : {
            scope: behaviour.scope,
            clauses: behaviour.clauses.map((clause) => [
              clause.event,
              clause.activities.map((activity) => activity.kind),
            ]),
          },
    );
    assert.deepEqual(summary, [
      { scope: { kind: 'initially' }, clauses: [['opened', ['schedule', 'transitionTo']]] },
      { scope: { kind: 'during', states: ['Open'] }, clauses: [['noted', ['if']]] },
      {
        scope: { kind: 'during', states: ['Open', 'Closing'] },
        clauses: [['done', ['unschedule', 'finalize']]],
      },
      { scope: { kind: 'duringAny' }, clauses: [['closed', ['update']]] },
      { finally: ['publish'] },
    ]);

    // An if keeps its branches as activity lists, so tooling can walk every path.
    const noted = definition.behaviours[1];
    assert.ok(noted?.kind === 'clauses');
    const branch = noted.clauses[0]?.activities[0];
    assert.ok(branch?.kind === 'if');
    assert.deepEqual(branch.whenTrue, [{ kind: 'transitionTo', state: 'Closing' }]);
    assert.deepEqual(branch.whenFalse, []);
  });
});
