import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineMessage } from '@switchyard/bus';
import { z } from 'zod';
import { defineSaga, event, mermaidDiagram } from '../src/index.ts';
import { tradeBooking } from './support/trade-booking.ts';

const Submitted = defineMessage(
  'sagatest.diagram.Submitted',
  z.object({ id: z.string(), amount: z.number() }),
);
const Decided = defineMessage(
  'sagatest.diagram.Decided',
  z.object({ id: z.string(), approved: z.boolean() }),
);
const Withdrawn = defineMessage('sagatest.diagram.Withdrawn', z.object({ id: z.string() }));
const Commented = defineMessage('sagatest.diagram.Commented', z.object({ id: z.string(), text: z.string() }));
const Closed = defineMessage('sagatest.diagram.Closed', z.object({ id: z.string() }));

/** Every branch of an if is drawn, and finalizing draws the Final state and its end. */
function approval() {
  return defineSaga({
    name: 'sagatest.Approval',
    states: ['Review', 'Approved'],
    initialData: () => ({}),
    events: {
      submitted: event(Submitted, { byId: (m) => m.id }),
      decided: event(Decided, { byId: (m) => m.id }),
      withdrawn: event(Withdrawn, { byId: (m) => m.id }),
    },
    behaviour: ({ initially, during, duringAny, when, finally: atEnd }) => [
      initially(
        when('submitted', (saga) =>
          saga.if(
            ({ message }) => message.amount > 100,
            (then) => then.transitionTo('Review'),
            (otherwise) => otherwise.transitionTo('Approved'),
          ),
        ),
      ),
      during(
        'Review',
        when('decided', (saga) =>
          saga.if(
            ({ message }) => message.approved,
            (then) => then.transitionTo('Approved'),
            (otherwise) => otherwise.finalize(),
          ),
        ),
      ),
      duringAny(when('withdrawn', (saga) => saga.finalize())),
      atEnd((saga) => saga),
    ],
  });
}

describe('mermaidDiagram', () => {
  it('draws the trade booking saga: the start, loops for events that stay, and the composite', () => {
    assert.equal(
      mermaidDiagram(tradeBooking()),
      [
        'stateDiagram-v2',
        '    [*] --> AwaitingParts : executed',
        '    AwaitingParts --> AwaitingParts : allocated',
        '    AwaitingParts --> AwaitingParts : confirmed',
        '    AwaitingParts --> AwaitingParts : amended',
        '    AwaitingParts --> Failed : deadline',
        '    AwaitingParts --> Booked : allParts',
        '    Booked --> Booked : amended',
        '    Failed --> Failed : amended',
        '',
      ].join('\n'),
    );
  });

  it('draws every branch of an if, and the Final state when a clause finalizes', () => {
    assert.equal(
      mermaidDiagram(approval()),
      [
        'stateDiagram-v2',
        '    [*] --> Review : submitted',
        '    [*] --> Approved : submitted',
        '    Review --> Approved : decided',
        '    Review --> Final : decided',
        '    Review --> Final : withdrawn',
        '    Approved --> Final : withdrawn',
        '    Final --> [*]',
        '',
      ].join('\n'),
    );
  });

  it('draws one arrow when two clauses of a state lead the same way', () => {
    const definition = defineSaga({
      name: 'sagatest.Twice',
      states: ['Open'],
      initialData: () => ({ comments: 0 }),
      events: {
        submitted: event(Submitted, { byId: (m) => m.id }),
        commented: event(Commented, { byId: (m) => m.id }),
      },
      behaviour: ({ initially, during, duringAny, when }) => [
        initially(when('submitted', (saga) => saga.transitionTo('Open'))),
        during(
          'Open',
          when('commented', (saga) =>
            saga.update(({ data }) => {
              data.comments += 1;
            }),
          ),
        ),
        duringAny(when('commented', (saga) => saga)),
      ],
    });
    assert.equal(
      mermaidDiagram(definition),
      'stateDiagram-v2\n    [*] --> Open : submitted\n    Open --> Open : commented\n',
    );
  });

  it('draws the loop of an if whose other branch stays in the state', () => {
    const definition = defineSaga({
      name: 'sagatest.MaybeClose',
      states: ['Open', 'Closed'],
      initialData: () => ({}),
      events: {
        submitted: event(Submitted, { byId: (m) => m.id }),
        closed: event(Closed, { byId: (m) => m.id }),
      },
      behaviour: ({ initially, during, when }) => [
        initially(when('submitted', (saga) => saga.transitionTo('Open'))),
        during(
          'Open',
          when('closed', (saga) =>
            saga.if(
              ({ data }) => data !== null,
              (then) => then.transitionTo('Closed'),
            ),
          ),
        ),
      ],
    });
    // When the condition fails the instance stays Open, so the diagram must show that loop too.
    assert.equal(
      mermaidDiagram(definition),
      [
        'stateDiagram-v2',
        '    [*] --> Open : submitted',
        '    Open --> Closed : closed',
        '    Open --> Open : closed',
        '',
      ].join('\n'),
    );
  });
});
