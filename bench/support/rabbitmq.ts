import {
  type Bus,
  createBus,
  errorQueueName,
  type ReceiveEndpointDefinition,
  skippedQueueName,
} from '@switchyard/bus';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import amqp from 'amqplib';
import { retrying, withCleanup } from './cleanup.ts';

/** The broker every RabbitMQ benchmark uses. */
export const rabbitMqUrl = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/**
 * Deletes the queues and exchanges a benchmark round declared, on a connection of its own (the
 * round's may be gone), trying again for half a minute while the broker restarts. Deleting what does
 * not exist is not an error in RabbitMQ, so this also serves rounds that failed half-way.
 */
export async function deleteRabbitMqEntities(
  url: string,
  entities: { readonly queues: readonly string[]; readonly exchanges: readonly string[] },
): Promise<void> {
  await retrying(10, 3_000, async () => {
    const connection = await amqp.connect(url);
    connection.on('error', () => {});
    try {
      const channel = await connection.createChannel();
      for (const queue of entities.queues) await channel.deleteQueue(queue);
      for (const exchange of entities.exchanges) await channel.deleteExchange(exchange);
    } finally {
      await connection.close().catch(() => {});
    }
  });
}

/**
 * Runs `work` on a started Switchyard bus on RabbitMQ with `endpoint` alone, then stops the bus and
 * deletes what the round declared: the endpoint's queue and exchange, its error and skipped queues and
 * the exchange of each message type it consumes.
 */
export async function withBenchBus<T>(
  url: string,
  endpoint: ReceiveEndpointDefinition,
  work: (bus: Bus) => Promise<T>,
): Promise<T> {
  const bus = createBus({ transport: new RabbitMqTransport({ url }), endpoints: [endpoint] });
  const queues = [endpoint.name, errorQueueName(endpoint.name), skippedQueueName(endpoint.name)];
  const messageTypes = endpoint.consumers.map((each) => each.messageType.entityName);
  return withCleanup(
    async () => {
      await bus.start();
      try {
        return await work(bus);
      } finally {
        await bus.stop();
      }
    },
    () => deleteRabbitMqEntities(url, { queues, exchanges: [...queues, ...messageTypes] }),
  );
}
