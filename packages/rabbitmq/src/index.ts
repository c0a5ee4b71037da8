export { delayQueueArguments, delayQueueName } from './delay-queue.ts';
export { ErrorQueueTools, type ErrorQueueToolsOptions } from './error-queue-tools.ts';
export {
  type LiveBinding,
  type LiveExchange,
  type LiveQueue,
  type LiveTopology,
  ManagementClient,
  vhostOf,
} from './management-client.ts';
export { observeQueueMetrics } from './queue-metrics.ts';
export {
  BrokerUnavailableError,
  ErrorQueueRetryFailedError,
  PublishRejectedError,
  PublishUnconfirmedError,
} from './rabbitmq-errors.ts';
export { RabbitMqTransport, type RabbitMqTransportOptions } from './rabbitmq-transport.ts';
export { declareTopology, endpointQueueTopology } from './topology-declarer.ts';
export {
  DestructiveChangeError,
  TopologyDeployer,
  type TopologyDeployerOptions,
} from './topology-deployer.ts';
export { formatPlan, type PlanStep, planTopology, type TopologyPlan } from './topology-plan.ts';
