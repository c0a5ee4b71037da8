import { type ActivityChain, defineSaga, event } from '@switchyard/saga';
import { BookPostings, type Posting, PostingBooked, PostingRejected } from '../booking/contracts.ts';
import {
  AllocationInstructed,
  SettlementInstructed,
  TradeAmended,
  TradeBooked,
  TradeCancellationCompleted,
  TradeCancelled,
  TradeExceptionRaised,
  TradeExecuted,
} from './contracts.ts';
import { BookingOverdue, RetryTrade, TradeIncomplete } from './trade-messages.ts';
import {
  applyAllocation,
  applyAmendment,
  applyBooked,
  applyExecution,
  applyRejected,
  applySettlement,
  type ExceptionKind,
  emptyTrade,
  inconsistencies,
  isDecided,
  isSettledInCore,
  missingParts,
  planPostings,
  requestAgain,
  standingRejections,
  type TradeData,
  versionOf,
} from './trade-state.ts';

/** The saga's data: the trade, and what the last step decided. */
export interface TradeSagaData extends TradeData {
  /** Postings to ask booking for in this step. */
  sending: Posting[];
  /** Set when the trade's parts were given their time; what is missing then is an exception. */
  incompleteDeadlinePassed: boolean;
  /** Set when booking did not answer in time for the postings last asked for. */
  bookingOverdue: boolean;
  /** The exception last published, so each is published once (`kind: detail`). */
  raised: string | null;
  /** Where the trade stands after this step: the state it moves to. */
  phase: TradePhase;
}

/** Where a trade stands: each is a state of the saga. */
export type TradePhase = 'Collecting' | 'Booking' | 'Booked' | 'Cancelled' | 'Exception';
const phases: readonly TradePhase[] = ['Collecting', 'Booking', 'Booked', 'Cancelled', 'Exception'];

export interface TradeSagaOptions {
  /** Where booking takes its commands (`queue:<endpoint>`). */
  readonly bookingAddress: string;
  /** How long a trade's parts may take to arrive before what is missing is an exception. */
  readonly incompleteAfterMs: number;
  /** How long booking may take to answer before the trade is an exception (booking goes on). */
  readonly bookingOverdueAfterMs: number;
  /** How long a settlement, amendment or cancellation waits for its trade before it goes to the error queue. */
  readonly parkLimitMs: number;
  /** The core account every allocation's posting is booked against (the house's clearing account). */
  readonly houseAccount: string;
}

function initialData(houseAccount: string): TradeSagaData {
  return {
    ...emptyTrade(houseAccount),
    sending: [],
    incompleteDeadlinePassed: false,
    bookingOverdue: false,
    raised: null,
    phase: 'Collecting',
  };
}

/** The exception the trade is in, if any, in words an operator acts on. */
export function exceptionOf(data: TradeSagaData): { kind: ExceptionKind; detail: string } | null {
  const rejected = standingRejections(data);
  if (rejected.length > 0) {
    return {
      kind: 'core-rejected',
      detail: rejected
        .map(
          (each) =>
            `the core refused ${each.posting.clientRef} (${each.posting.allocationId}): ${each.rejection}`,
        )
        .join('; '),
    };
  }
  const missing = missingParts(data);
  if (missing.length === 0 && data.cancelled === null) {
    const problems = inconsistencies(data);
    if (problems.length > 0) return { kind: 'inconsistent', detail: problems.join('; ') };
  }
  if (missing.length > 0 && data.cancelled === null && data.incompleteDeadlinePassed) {
    return { kind: 'incomplete', detail: `still waiting for ${missing.join(' and ')}` };
  }
  if (data.bookingOverdue && !isSettledInCore(data)) {
    const waiting = Object.values(data.postings).filter((each) => each.status === 'requested');
    return {
      kind: 'booking-overdue',
      detail: `the core has not confirmed ${waiting.map((each) => each.posting.clientRef).join(', ') || 'every posting'}; booking goes on`,
    };
  }
  return null;
}

/** The saga's scheduled events and their messages, as `converge` schedules them. */
interface ScheduledEvents {
  readonly bookingOverdue: { tradeId: string };
  readonly incompleteDeadline: { tradeId: string };
}

/** One step's decision, after the event's own update: what to send, which exception, which phase. */
function decide(data: TradeSagaData): void {
  data.sending = planPostings(data);
  if (data.sending.length > 0) data.bookingOverdue = false;
  data.exception = exceptionOf(data);
  const decided = isDecided(data);
  const settled = decided && isSettledInCore(data);
  data.phase =
    data.exception !== null
      ? 'Exception'
      : settled
        ? data.cancelled !== null
          ? 'Cancelled'
          : 'Booked'
        : decided
          ? 'Booking'
          : 'Collecting';
}

/**
 * The steps every event ends with: decide, ask booking for what is new, publish a new exception or
 * outcome once, and move to the phase's state. Every event converges the trade the same way, so the
 * order the inputs and answers arrive in does not change where it ends.
 */
function converge<M, E extends ScheduledEvents>(
  chain: ActivityChain<TradeSagaData, M, TradePhase, E>,
  options: TradeSagaOptions,
  { moveToPhase = true }: { readonly moveToPhase?: boolean } = {},
): ActivityChain<TradeSagaData, M, TradePhase, E> {
  let next = chain
    .update(({ data }) => {
      decide(data);
    })
    .if(
      ({ data }) => data.sending.length > 0,
      (then) =>
        then
          .send(options.bookingAddress, BookPostings, ({ data, sagaId }) => ({
            tradeId: sagaId,
            postings: data.sending,
          }))
          .schedule('bookingOverdue', { afterMs: options.bookingOverdueAfterMs }, ({ sagaId }) => ({
            tradeId: sagaId,
          })),
    )
    .if(
      ({ data }) =>
        data.exception !== null && data.raised !== `${data.exception.kind}: ${data.exception.detail}`,
      (then) =>
        then
          .publish(TradeExceptionRaised, ({ data, sagaId }) => ({
            tradeId: sagaId,
            kind: data.exception?.kind ?? 'inconsistent',
            detail: data.exception?.detail ?? '',
          }))
          .update(({ data }) => {
            data.raised = data.exception ? `${data.exception.kind}: ${data.exception.detail}` : null;
          }),
    )
    .if(
      ({ data }) =>
        data.phase === 'Booked' && data.announced !== `booked:${versionOf(data)}:${data.instructionId}`,
      (then) =>
        then
          .unschedule('bookingOverdue')
          .publish(TradeBooked, ({ data, sagaId }) => ({
            tradeId: sagaId,
            version: versionOf(data),
            postings: Object.values(data.postings)
              .filter((each) => each.status === 'booked' && each.reverses === null && each.sequence !== null)
              .filter((each) =>
                data.allocations.some((allocation) => allocation.allocationId === each.posting.allocationId),
              )
              .map((each) => ({
                allocationId: each.posting.allocationId,
                clientRef: each.posting.clientRef,
                sequence: each.sequence ?? 0,
              })),
          }))
          .update(({ data }) => {
            data.announced = `booked:${versionOf(data)}:${data.instructionId}`;
            data.raised = null;
          }),
    )
    .if(
      ({ data }) => data.phase === 'Cancelled' && data.announced !== 'cancelled',
      (then) =>
        then
          .unschedule('bookingOverdue')
          .unschedule('incompleteDeadline')
          .publish(TradeCancellationCompleted, ({ data, sagaId }) => ({
            tradeId: sagaId,
            reversed: Object.values(data.postings).filter(
              (each) => each.reverses !== null && each.status === 'booked',
            ).length,
          }))
          .update(({ data }) => {
            data.announced = 'cancelled';
          }),
    )
    .update(({ data }) => {
      data.sending = [];
      if (data.exception === null) data.raised = null;
    });
  if (!moveToPhase) return next;
  for (const phase of phases) {
    next = next.if(
      ({ data, state }) => data.phase === phase && state !== phase,
      (then) => then.transitionTo(phase),
    );
  }
  return next;
}

/**
 * One trade, from its three input streams to its postings in the core. Any of the execution and the
 * allocation instruction starts it; settlements find it by the venue's reference, amendments and
 * cancellations by its id, and wait (parked) for it when they come first. Every event updates the
 * inputs and then converges: a complete, consistent trade wants one posting per allocation of its
 * latest version (and a reversal of anything booked it no longer wants); booking books each exactly
 * once and answers. An incomplete trade at its deadline, an inconsistent one, a posting the core
 * refuses and a booking overdue are exceptions a person sees (and may retry); the trade still accepts
 * inputs then, and converges as soon as they set it right.
 */
export function tradeSaga(options: TradeSagaOptions) {
  const park = { whenMissing: 'park', parkLimitMs: options.parkLimitMs } as const;
  return defineSaga({
    name: 'tradebook.trades.Trade',
    states: phases,
    initialData: () => initialData(options.houseAccount),
    keys: { executionRef: (data) => data.execution?.executionRef },
    settledStates: ['Booked', 'Cancelled'],
    events: {
      executed: event(TradeExecuted, { byId: (message) => message.tradeId }),
      allocated: event(AllocationInstructed, { byId: (message) => message.tradeId }),
      settled: event(SettlementInstructed, {
        byKey: 'executionRef',
        value: (message) => message.executionRef,
        ...park,
      }),
      amended: event(TradeAmended, { byId: (message) => message.tradeId, ...park }),
      cancelled: event(TradeCancelled, { byId: (message) => message.tradeId, ...park }),
      booked: event(PostingBooked, { byId: (message) => message.tradeId, ...park }),
      rejected: event(PostingRejected, { byId: (message) => message.tradeId, ...park }),
      incompleteDeadline: event(TradeIncomplete, {
        byId: (message) => message.tradeId,
        onUnexpected: 'ignore',
      }),
      bookingOverdue: event(BookingOverdue, { byId: (message) => message.tradeId, onUnexpected: 'ignore' }),
      retry: event(RetryTrade, { byId: (message) => message.tradeId }),
    },
    behaviour: ({ initially, duringAny, when }) => [
      initially(
        when('executed', (saga) =>
          converge(
            saga
              .update(({ data, message }) => {
                applyExecution(data, message);
              })
              .schedule('incompleteDeadline', { afterMs: options.incompleteAfterMs }, ({ sagaId }) => ({
                tradeId: sagaId,
              })),
            options,
            // One stream alone never completes a trade: a new trade is collecting its parts.
            { moveToPhase: false },
          ).transitionTo('Collecting'),
        ),
        when('allocated', (saga) =>
          converge(
            saga
              .update(({ data, message }) => {
                applyAllocation(data, message);
              })
              .schedule('incompleteDeadline', { afterMs: options.incompleteAfterMs }, ({ sagaId }) => ({
                tradeId: sagaId,
              })),
            options,
            // One stream alone never completes a trade: a new trade is collecting its parts.
            { moveToPhase: false },
          ).transitionTo('Collecting'),
        ),
      ),
      duringAny(
        when('executed', (saga) =>
          converge(
            saga.update(({ data, message }) => {
              applyExecution(data, message);
            }),
            options,
          ),
        ),
        when('allocated', (saga) =>
          converge(
            saga.update(({ data, message }) => {
              applyAllocation(data, message);
            }),
            options,
          ),
        ),
        when('settled', (saga) =>
          converge(
            saga.update(({ data, message }) => {
              applySettlement(data, message);
            }),
            options,
          ),
        ),
        when('amended', (saga) =>
          converge(
            saga.update(({ data, message }) => {
              applyAmendment(data, message);
            }),
            options,
          ),
        ),
        when('cancelled', (saga) =>
          converge(
            saga.update(({ data, message }) => {
              data.cancelled ??= { reason: message.reason };
            }),
            options,
          ),
        ),
        when('booked', (saga) =>
          converge(
            saga.update(({ data, message }) => {
              applyBooked(data, message.clientRef, message.sequence);
            }),
            options,
          ),
        ),
        when('rejected', (saga) =>
          converge(
            saga.update(({ data, message }) => {
              applyRejected(data, message.clientRef, message.reason);
            }),
            options,
          ),
        ),
        when('incompleteDeadline', (saga) =>
          converge(
            saga.update(({ data }) => {
              data.incompleteDeadlinePassed = true;
            }),
            options,
          ),
        ),
        when('bookingOverdue', (saga) =>
          converge(
            saga.update(({ data }) => {
              data.bookingOverdue = true;
            }),
            options,
          ),
        ),
        when('retry', (saga) =>
          converge(
            saga.update(({ data }) => {
              requestAgain(data);
              data.bookingOverdue = false;
              data.raised = null;
            }),
            options,
          ),
        ),
      ),
    ],
  });
}
