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
export {
  type IncomingSagaMessage,
  type SagaEffect,
  SagaEngine,
  type SagaEngineOptions,
  type SagaOutcome,
  type SagaResult,
} from './runtime/saga-engine.ts';
export {
  SagaCorrelationError,
  SagaKeyConflictError,
  SagaNotFoundError,
  UnexpectedSagaEventError,
} from './runtime/saga-errors.ts';
export type { HeldMessage, HoldReason } from './runtime/saga-instance.ts';
