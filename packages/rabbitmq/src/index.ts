/**
 * RabbitMQ for the bus: an AMQP transport with publisher confirms, reconnection and delayed
 * redelivery (`RabbitMqTransport`), topology named and shaped as MassTransit's so .NET services on
 * the same broker interoperate, a deployer that plans changes before it makes them and refuses
 * destructive ones (`TopologyDeployer`, `planTopology`), and error-queue tools over the management API.
 *
 * ```ts
 * import { consumer, createBus, defineMessage, receiveEndpoint } from '@switchyard/bus';
 * import { RabbitMqTransport } from '@switchyard/rabbitmq';
 * import { z } from 'zod';
 *
 * const OrderPlaced = defineMessage('Shop.Contracts.OrderPlaced', z.object({ orderId: z.string() }));
 * let billed = (_line: string) => {};
 * const done = new Promise<string>((resolve) => { billed = resolve; });
 * const bus = createBus({
 *   transport: new RabbitMqTransport({ url: process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672' }),
 *   endpoints: [receiveEndpoint('shop-billing', { consumers: [consumer(OrderPlaced, (order) => billed(order.orderId))] })],
 * });
 * // Declares the exchange "Shop.Contracts:OrderPlaced", the queue "shop-billing" and its binding.
 * await bus.start();
 * await bus.publish(OrderPlaced, { orderId: 'o-42' });
 * console.log(`shop-billing got ${await done} through ${OrderPlaced.entityName}`);
 * await bus.stop();
 * ```
 */

export { txCommit, txSelect } from './amqp-transactions.ts';
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
  ManagementApiError,
  ManagementApiUnreachableError,
  PublishRejectedError,
  PublishUnconfirmedError,
  TopologyDeclarationError,
} from './rabbitmq-errors.ts';
export { RabbitMqTransport, type RabbitMqTransportOptions } from './rabbitmq-transport.ts';
export { delayQueueArguments, delayQueueName } from './topology/delay-queue.ts';
export { declareTopology, endpointQueueTopology } from './topology/topology-declarer.ts';
export {
  DestructiveChangeError,
  TopologyDeployer,
  type TopologyDeployerOptions,
} from './topology/topology-deployer.ts';
export { formatPlan, type PlanStep, planTopology, type TopologyPlan } from './topology/topology-plan.ts';
