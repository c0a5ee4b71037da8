/**
 * The bus: typed messages (`defineMessage`), receive endpoints of consumers (`receiveEndpoint`,
 * `consumer`) and a bus that publishes, sends, requests and schedules them (`createBus`) over a
 * transport: in memory here, PostgreSQL or RabbitMQ from their packages. Inbound middleware wraps
 * every consumer (`transactional` puts state, inbox record and outgoing messages in one transaction);
 * outbound middleware wraps every message produced, before it is stored or sent. The ports (outbox,
 * inbox, saga store, scheduler) have in-memory implementations here, and a test harness records
 * what a bus did.
 *
 * ```ts
 * import { consumer, createBus, defineMessage, MemoryTransport, receiveEndpoint } from '@switchyard/bus';
 * import { z } from 'zod';
 *
 * const OrderPlaced = defineMessage('shop.OrderPlaced', z.object({ orderId: z.string(), pints: z.number().int() }));
 *
 * let billed = (_line: string) => {};
 * const done = new Promise<string>((resolve) => { billed = resolve; });
 * const bus = createBus({
 *   transport: new MemoryTransport(),
 *   // Runs for every message the bus or a consumer produces: one place to stamp what travels along.
 *   outbound: [(input, next) => { input.headers['X-Tenant'] = 'dairy-north'; return next(); }],
 *   endpoints: [
 *     receiveEndpoint('billing', {
 *       consumers: [
 *         consumer(OrderPlaced, (order, context) =>
 *           billed(`billed ${order.orderId} for ${order.pints} pints (tenant ${context.envelope.headers['X-Tenant']})`)),
 *       ],
 *     }),
 *   ],
 * });
 * await bus.start();
 * await bus.publish(OrderPlaced, { orderId: 'o-42', pints: 2 });
 * console.log(await done);
 * await bus.stop();
 * ```
 */
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
export type { ErrorCode, SwitchyardErrorCodes } from './errors.ts';
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
export {
  MemoryDatabase,
  MemoryInbox,
  MemoryOutbox,
  MemorySagaStore,
  MemoryScheduler,
  type MemorySchedulerOptions,
  type MemoryTransaction,
} from './memory/memory-ports.ts';
export { MemoryTransport } from './memory/memory-transport.ts';
export {
  composeOutbound,
  type OutboundInput,
  type OutboundMiddleware,
  type OutboundPipeline,
} from './middleware.ts';
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
export {
  checkSlotName,
  conversationBucket,
  endpointOfQueue,
  routingHeadersOf,
  slotQueueName,
  slotRouterName,
  slotRoutingHeaders,
} from './slots/slot-routing.ts';
export { formatTopology } from './topology/format-topology.ts';
export { isResponseQueueName } from './topology/response-queue-name.ts';
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
