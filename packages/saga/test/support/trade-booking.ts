import { defineMessage } from '@switchyard/bus';
import { z } from 'zod';
import {
  defineSaga,
  event,
  type SagaInvariant,
  type SagaWorld,
  type ScenarioMessage,
} from '../../src/index.ts';

// Three streams report on one trade: the execution venue, the allocation desk and the counterparty's
// confirmation service. The trade is booked once, when all three have arrived, in whatever order.
export const TradeExecuted = defineMessage(
  'tradebook.TradeExecuted',
  z.object({
    tradeId: z.string(),
    confirmationRef: z.string(),
    quantity: z.number().int(),
    price: z.number(),
  }),
);
export const TradeAllocated = defineMessage(
  'tradebook.TradeAllocated',
  z.object({ tradeId: z.string(), account: z.string() }),
);
/** The counterparty knows only its own reference, which the execution carries. */
export const TradeConfirmed = defineMessage(
  'tradebook.TradeConfirmed',
  z.object({ confirmationRef: z.string() }),
);
/** Amendments are numbered per trade; a later one wins whatever order they arrive in. */
export const TradeAmended = defineMessage(
  'tradebook.TradeAmended',
  z.object({ tradeId: z.string(), sequence: z.number().int(), quantity: z.number().int() }),
);
export const BookingDeadlinePassed = defineMessage(
  'tradebook.BookingDeadlinePassed',
  z.object({ tradeId: z.string() }),
);
export const TradeBooked = defineMessage(
  'tradebook.TradeBooked',
  z.object({ tradeId: z.string(), account: z.string(), quantity: z.number().int() }),
);
export const TradeFailed = defineMessage(
  'tradebook.TradeFailed',
  z.object({ tradeId: z.string(), missing: z.array(z.string()) }),
);

export interface TradeData {
  tradeId: string | null;
  confirmationRef: string | null;
  account: string | null;
  confirmed: boolean;
  quantity: number;
  price: number;
  amendments: number;
}

/** The example saga of this package's tests; `deadlineMs` bounds how long the parts may take. */
export function tradeBooking(
  options: { deadlineMs?: number; parkLimitMs?: number; amendmentsInSequence?: boolean } = {},
) {
  const parkLimitMs = options.parkLimitMs ?? 60_000;
  return defineSaga({
    name: 'tradebook.TradeBooking',
    states: ['AwaitingParts', 'Booked', 'Failed'],
    initialData: (): TradeData => ({
      tradeId: null,
      confirmationRef: null,
      account: null,
      confirmed: false,
      quantity: 0,
      price: 0,
      amendments: 0,
    }),
    keys: { confirmationRef: (data) => data.confirmationRef ?? undefined },
    events: {
      executed: event(TradeExecuted, { byId: (m) => m.tradeId }),
      allocated: event(TradeAllocated, { byId: (m) => m.tradeId, whenMissing: 'park', parkLimitMs }),
      confirmed: event(TradeConfirmed, {
        byKey: 'confirmationRef',
        value: (m) => m.confirmationRef,
        whenMissing: 'park',
        parkLimitMs,
      }),
      amended: event(TradeAmended, {
        byId: (m) => m.tradeId,
        whenMissing: 'park',
        parkLimitMs,
        onUnexpected: 'defer',
        // Without the sequence, the checker shows a late first amendment overwriting the second.
        ...(options.amendmentsInSequence === false
          ? {}
          : { sequence: { stream: 'amendments', number: (m: { sequence: number }) => m.sequence } }),
      }),
      deadline: event(BookingDeadlinePassed, { byId: (m) => m.tradeId, onUnexpected: 'ignore' }),
    },
    composites: { allParts: ['executed', 'allocated', 'confirmed'] },
    behaviour: ({ initially, during, duringAny, when }) => [
      initially(
        when('executed', (saga) =>
          saga
            .update(({ data, message }) => {
              data.tradeId = message.tradeId;
              data.confirmationRef = message.confirmationRef;
              data.price = message.price;
              // An amendment applied before the execution arrived already set the quantity.
              if (data.amendments === 0) data.quantity = message.quantity;
            })
            .schedule('deadline', { afterMs: options.deadlineMs ?? 60_000 }, ({ sagaId }) => ({
              tradeId: sagaId,
            }))
            .transitionTo('AwaitingParts'),
        ),
      ),
      during(
        'AwaitingParts',
        when('allocated', (saga) =>
          saga.update(({ data, message }) => {
            data.account = message.account;
          }),
        ),
        when('confirmed', (saga) =>
          saga.update(({ data }) => {
            data.confirmed = true;
          }),
        ),
        when('allParts', (saga) =>
          saga
            .unschedule('deadline')
            .publish(TradeBooked, ({ data, sagaId }) => ({
              tradeId: sagaId,
              account: data.account ?? '',
              quantity: data.quantity,
            }))
            .transitionTo('Booked'),
        ),
        when('deadline', (saga) =>
          saga
            .publish(TradeFailed, ({ data, sagaId }) => ({
              tradeId: sagaId,
              missing: [
                ...(data.account === null ? ['allocation'] : []),
                ...(data.confirmed ? [] : ['confirmation']),
              ],
            }))
            .transitionTo('Failed'),
        ),
      ),
      duringAny(
        when('amended', (saga) =>
          saga.update(({ data, message }) => {
            data.quantity = message.quantity;
            data.amendments += 1;
          }),
        ),
      ),
    ],
  });
}

/** The checker's scenario: two trades, each with its three parts and two amendments. */
export function tradeScenario(): ScenarioMessage[] {
  return ['t-1', 't-2'].flatMap((tradeId): ScenarioMessage[] => [
    {
      type: TradeExecuted,
      message: { tradeId, confirmationRef: `CNF-${tradeId}`, quantity: 100, price: 99.5 },
    },
    { type: TradeAllocated, message: { tradeId, account: `ACC-${tradeId}` } },
    { type: TradeConfirmed, message: { confirmationRef: `CNF-${tradeId}` } },
    { type: TradeAmended, message: { tradeId, sequence: 1, quantity: 150 } },
    { type: TradeAmended, message: { tradeId, sequence: 2, quantity: 175 } },
  ]);
}

/** The TradeBooked messages the saga produced. */
export const bookedTrades = (world: SagaWorld) =>
  world.produced
    .filter((each) => each.type === TradeBooked.name)
    .map((each) => each.message as { tradeId: string });

/** The booking rules the checker holds the saga to. */
export const tradeInvariants: SagaInvariant[] = [
  {
    name: 'a trade is booked at most once',
    holds: (world) => {
      const ids = bookedTrades(world).map((each) => each.tradeId);
      return new Set(ids).size === ids.length || `booked: ${ids.join(', ')}`;
    },
  },
  {
    name: 'a booked trade has its allocation and confirmation',
    holds: (world) =>
      world.instances
        .filter((instance) => instance.state === 'Booked')
        .every((instance) => {
          const data = instance.data as { account: string | null; confirmed: boolean };
          return data.account !== null && data.confirmed;
        }),
  },
  {
    name: 'in the end every trade is booked with its last amendment',
    atEnd: true,
    holds: (world) =>
      bookedTrades(world).length === world.instances.length &&
      world.instances.every((instance) => (instance.data as { quantity: number }).quantity === 175) &&
      world.held === 0,
  },
];
