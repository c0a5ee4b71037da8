/**
 * Sagas: long-running workflows as state machines over messages from several streams. A saga is a
 * value made by `defineSaga` (states, events and how each finds its instance, behaviour per state);
 * `sagaEndpoint` runs it on a bus, each message in one transaction with the instance, its inbox record
 * and what it sends; `checkSaga` explores orders, redeliveries and crashes of a scenario and proves
 * its invariants; `SagaInspector` and `mermaidDiagram` show instances and definitions.
 *
 * ```ts
 * import { defineMessage } from '@switchyard/bus';
 * import { checkSaga, defineSaga, event } from '@switchyard/saga';
 * import { z } from 'zod';
 *
 * const Executed = defineMessage('trades.Executed', z.object({ tradeId: z.string(), quantity: z.number() }));
 * const Allocated = defineMessage('trades.Allocated', z.object({ tradeId: z.string(), quantity: z.number() }));
 * const Booked = defineMessage('trades.Booked', z.object({ tradeId: z.string(), quantity: z.number() }));
 *
 * // Execution and allocation arrive in either order; the trade is booked once, when both are in.
 * const trade = defineSaga({
 *   name: 'trades.Trade',
 *   states: ['Executed'],
 *   initialData: () => ({ executed: 0 }),
 *   events: {
 *     executed: event(Executed, { byId: (m) => m.tradeId }),
 *     allocated: event(Allocated, { byId: (m) => m.tradeId, whenMissing: 'park', parkLimitMs: 3_600_000 }),
 *   },
 *   behaviour: ({ initially, during, when }) => [
 *     initially(when('executed', (saga) => saga.update(({ data, message }) => { data.executed = message.quantity; }).transitionTo('Executed'))),
 *     during('Executed', when('allocated', (saga) =>
 *       saga.publish(Booked, ({ sagaId, data }) => ({ tradeId: sagaId, quantity: data.executed })).finalize())),
 *   ],
 * });
 *
 * const report = await checkSaga({
 *   definition: trade,
 *   messages: [
 *     { type: Executed, message: { tradeId: 't-1', quantity: 100 } },
 *     { type: Allocated, message: { tradeId: 't-1', quantity: 100 } },
 *   ],
 *   invariants: [{ name: 'booked at most once', holds: (world) => world.produced.length <= 1 }],
 *   runs: 50,
 *   seed: 7,
 * });
 * console.log(report.finalWorld.produced.map((each) => each.type).join(', '), `after ${report.runs} schedules`);
 * ```
 */
export {
  checkSaga,
  SagaCheckFailure,
  type SagaCheckOptions,
  type SagaCheckReport,
} from './checker/check-saga.ts';
export type { SagaInvariant, SagaWorld, ScenarioMessage } from './checker/run-schedule.ts';
export type {
  Activity,
  ActivityChain,
  ActivityContext,
  MessageBuilder,
  ScheduleAt,
} from './definition/activities.ts';
export {
  type AnySagaDefinition,
  type Behaviour,
  type BehaviourBuilder,
  type BehaviourScope,
  defineSaga,
  type EventMap,
  type EventMessage,
  finalState,
  initialState,
  type SagaDefinition,
  type SagaSpec,
  type WhenClause,
} from './definition/define-saga.ts';
export {
  type Correlation,
  type CorrelationOptions,
  type EventOptions,
  type EventSpec,
  event,
  type MissingPolicy,
  type SagaEvent,
  type SequenceSpec,
  type UnexpectedPolicy,
} from './definition/saga-event.ts';
export { mermaidDiagram } from './inspection/mermaid-diagram.ts';
export { SagaInspector, type SagaLookup, type SagaView } from './inspection/saga-inspector.ts';
export { type HeldMessageExpired, HeldMessageExpiredType } from './runtime/held-message-expired.ts';
export { type SagaEndpointOptions, sagaEndpoint, scheduledEventHeader } from './runtime/saga-endpoint.ts';
export { SagaEngine, type SagaEngineOptions } from './runtime/saga-engine.ts';
export type { HeldMessage, HoldReason } from './runtime/saga-instance.ts';
export type { IncomingSagaMessage, SagaEffect, SagaOutcome, SagaResult } from './runtime/saga-outcome.ts';
export {
  SagaCorrelationError,
  SagaKeyConflictError,
  SagaNotFoundError,
  UnexpectedSagaEventError,
} from './saga-errors.ts';
