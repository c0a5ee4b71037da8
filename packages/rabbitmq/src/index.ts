export { delayQueueArguments, delayQueueName } from './delay-queue.ts';
export { type ErrorQueueMessage, ErrorQueueTools, type ErrorQueueToolsOptions } from './error-queue-tools.ts';
export { BrokerUnavailableError, PublishRejectedError } from './rabbitmq-errors.ts';
export { RabbitMqTransport, type RabbitMqTransportOptions } from './rabbitmq-transport.ts';
export { declareTopology, endpointQueueTopology } from './topology-declarer.ts';
