export {
  type Bus,
  type BusHealth,
  type BusOptions,
  type BusService,
  createBus,
  type RequestOptions,
  type ScheduledSend,
  type StopOptions,
} from './bus/bus.ts';
export type { Response } from './bus/request-client.ts';
export { BusStoppedError, RequestFaultError, RequestTimeoutError } from './bus/request-errors.ts';
export { type Codec, codecFor, EnvelopeDecodeError } from './codec/codec.ts';
export { massTransitJsonCodec } from './codec/masstransit-json-codec.ts';
export {
  type DefineMessageOptions,
  defineMessage,
  entityNameFromUrn,
  type MessageOf,
  type MessageType,
  urnFromName,
} from './contracts/message-type.ts';
export { MessageValidationError, type ValidationIssue, validateMessage } from './contracts/validation.ts';
export { captureOutgoing } from './endpoint/capture-outgoing.ts';
export type {
  ConsumeContext,
  MessageOptions,
  MessageProducer,
  MessageSink,
  Middleware,
} from './endpoint/consume-context.ts';
export { DeliveryLimitExceededError, defaultDeliveryLimit } from './endpoint/delivery-limit.ts';
export type { DeliveryObserver } from './endpoint/endpoint-runtime.ts';
export { HandlerTimeoutError } from './endpoint/handler-timeout.ts';
export {
  type ConsumerDefinition,
  consumer,
  type Handler,
  type ReceiveEndpointDefinition,
  type ReceiveEndpointOptions,
  receiveEndpoint,
} from './endpoint/receive-endpoint.ts';
export { type Destination, parseDestination } from './envelope/addresses.ts';
export { type Envelope, envelopeHeaders, type HostInfo } from './envelope/envelope.ts';
export { currentHost } from './envelope/host-info.ts';
export { isUuid, uuidv7 } from './envelope/uuidv7.ts';
export { ConfigurationError, MessageRefusedError, SwitchyardError } from './errors.ts';
export { MessageLog, type Observed } from './harness/message-log.ts';
export {
  type ConsumedRecord,
  type FaultedRecord,
  type ProducedRecord,
  type QueuedRecord,
  type SkippedRecord,
  startTestHarness,
  type TestHarness,
  type TestHarnessOptions,
} from './harness/test-harness.ts';
export { InboxReusedIdError } from './inbox/inbox-errors.ts';
export { contentDigest, messageFingerprint } from './inbox/message-fingerprint.ts';
export { MemoryBroker, MemoryQueue, type QueuedMessage } from './memory/memory-broker.ts';
export * from './memory/memory-ports.ts';
export { MemoryTransport } from './memory/memory-transport.ts';
export type { ConsumeOutcome } from './observability/telemetry.ts';
export {
  dispatchOutgoing,
  OutboxDispatcher,
  type OutboxDispatcherOptions,
} from './outbox/outbox-dispatcher.ts';
export {
  type TransactionalOptions,
  transactional,
  transactionOf,
} from './outbox/transactional-middleware.ts';
export {
  defaultInboxWindowMs,
  type Inbox,
  type InboxMessage,
  type InboxVerdict,
} from './ports/inbox.ts';
export type { AddedEntries, Outbox, OutboxEntry, OutboxLease, OutgoingMessage } from './ports/outbox.ts';
export {
  SagaConcurrencyError,
  type SagaRecord,
  type SagaStore,
  type SagaTransition,
} from './ports/saga-store.ts';
export type { ScheduledMessage, Scheduler } from './ports/scheduler.ts';
export type { TransactionOptions, TransactionRunner } from './ports/transaction.ts';
export type { TransactionalSends } from './ports/transactional-sends.ts';
export {
  describeErrorQueueMessage,
  type ErrorQueueMessage,
  type ErrorQueueMessageNotMoved,
  type ErrorQueueRetryResult,
  type ErrorQueues,
  headersForRetry,
} from './recoverability/error-queues.ts';
export { type ExceptionInfo, exceptionInfo, type Fault, faultOf } from './recoverability/fault.ts';
export {
  defaultRetryPolicy,
  type ErrorClass,
  isRetryable,
  type RetryPolicy,
} from './recoverability/retry-policy.ts';
export {
  type MoveReason,
  redeliveryStateHeaders,
  transportHeaders,
  withoutBusHeaders,
} from './recoverability/transport-headers.ts';
export { bounded, maxEchoedChars, redactSecrets } from './redact-secrets.ts';
export { redactUrl } from './redact-url.ts';
export { formatTopology } from './topology/format-topology.ts';
export {
  type BindingSpec,
  buildTopology,
  type EndpointTopologyInput,
  type ExchangeSpec,
  errorQueueName,
  lastingTopology,
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
