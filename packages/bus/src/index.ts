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
export { MemoryTransport } from './memory/memory-transport.ts';
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
