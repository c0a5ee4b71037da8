export {
  type DefineMessageOptions,
  defineMessage,
  type MessageOf,
  type MessageType,
} from './contracts/message-type.ts';
export { MessageValidationError, type ValidationIssue, validateMessage } from './contracts/validation.ts';
export { isUuid, uuidv7 } from './envelope/uuidv7.ts';
export { ConfigurationError, SwitchyardError } from './errors.ts';
export { MemoryBroker, MemoryQueue } from './memory/memory-broker.ts';
export * from './memory/memory-ports.ts';
export { MemoryTransport } from './memory/memory-transport.ts';
export type { Inbox } from './ports/inbox.ts';
export type { Outbox, OutboxEntry, OutgoingMessage } from './ports/outbox.ts';
export {
  SagaConcurrencyError,
  type SagaRecord,
  type SagaStore,
  type SagaTransition,
} from './ports/saga-store.ts';
export type { ScheduledMessage, Scheduler } from './ports/scheduler.ts';
export type { TransactionRunner } from './ports/transaction.ts';
export { formatTopology } from './topology/format-topology.ts';
export {
  type BindingSpec,
  buildTopology,
  type EndpointTopologyInput,
  type ExchangeSpec,
  errorQueueName,
  mergeTopologies,
  type QueueSpec,
  type QueueType,
  skippedQueueName,
  type Topology,
} from './topology/topology.ts';
export type {
  ConsumeOptions,
  ConsumerHandle,
  Delivery,
  Headers,
  HeaderValue,
  SendOptions,
  Transport,
  TransportHealth,
  TransportMessage,
  TransportState,
} from './transport/transport.ts';
