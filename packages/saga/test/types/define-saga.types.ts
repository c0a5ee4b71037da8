// Type tests of defineSaga's inference: checked by `npm run typecheck`, never run. An inference that
// regresses turns an `Expect<Equal<…>>` or an `@ts-expect-error` line into a type error.
import { defineMessage, type MessageOf, type MessageType } from '@switchyard/bus';
import { defineSaga, event } from '@switchyard/saga';
import { z } from 'zod';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

const Booked = defineMessage('trades.Booked', z.object({ tradeId: z.string(), quantity: z.number() }));
const Settled = defineMessage('trades.Settled', z.object({ tradeId: z.string(), settledOn: z.string() }));
const Confirm = defineMessage('trades.Confirm', z.object({ tradeId: z.string() }));

const trade = defineSaga({
  name: 'trades.Trade',
  states: ['Booked', 'Settled'],
  initialData: () => ({ quantity: 0, settledOn: '' }),
  events: {
    booked: event(Booked, { byId: (message) => message.tradeId }),
    settled: event(Settled, { byId: (message) => message.tradeId }),
  },
  behaviour: ({ initially, during, when }) => [
    initially(
      when('booked', (saga) =>
        saga
          .update(({ data, message }) => {
            type DataIsInferred = Expect<Equal<typeof data, { quantity: number; settledOn: string }>>;
            type MessageIsTheEvents = Expect<Equal<typeof message, MessageOf<typeof Booked>>>;
            const checks: [DataIsInferred, MessageIsTheEvents] = [true, true];
            void checks;
            data.quantity = message.quantity;
          })
          .send('queue:confirmations', Confirm, ({ sagaId }) => ({ tradeId: sagaId }))
          .transitionTo('Booked'),
      ),
    ),
    during(
      'Booked',
      when('settled', (saga) =>
        saga
          .update(({ data, message }) => {
            data.settledOn = message.settledOn;
          })
          .finalize(),
      ),
    ),
  ],
});

export type StatesAreTheDeclaredNames = Expect<Equal<typeof trade.states, readonly ('Booked' | 'Settled')[]>>;
export type DataIsTheInitialData = Expect<
  Equal<ReturnType<typeof trade.initialData>, { quantity: number; settledOn: string }>
>;
export type EventsCarryTheirMessageTypes = Expect<
  Equal<typeof trade.events.settled.messageType, MessageType<MessageOf<typeof Settled>>>
>;

defineSaga({
  name: 'trades.Wrong',
  states: ['Booked'],
  initialData: () => ({ quantity: 0 }),
  events: { booked: event(Booked, { byId: (message) => message.tradeId }) },
  behaviour: ({ initially, during, when }) => [
    // @ts-expect-error an event the saga does not declare
    initially(when('cancelled', (saga) => saga.finalize())),
    during(
      // @ts-expect-error a state the saga does not declare
      'Cancelled',
      when('booked', (saga) => saga.finalize()),
    ),
    initially(
      when('booked', (saga) =>
        saga
          .update(({ data, message }) => {
            // @ts-expect-error the data has no such field
            data.price = message.quantity;
          })
          // @ts-expect-error a transition to an undeclared state
          .transitionTo('Cancelled'),
      ),
    ),
    initially(
      when('booked', (saga) =>
        // @ts-expect-error the message sent must match its type
        saga.send('queue:confirmations', Confirm, () => ({ tradeId: 7 })),
      ),
    ),
  ],
});

// @ts-expect-error byId reads the event's own message: Booked has no settledOn
event(Booked, { byId: (message) => message.settledOn });
