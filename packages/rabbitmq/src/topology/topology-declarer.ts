import type { Topology } from '@switchyard/bus';
import type { ChannelModel } from 'amqplib';
import { TopologyDeclarationError } from '../rabbitmq-errors.ts';

/**
 * Declares a topology on the broker: fanout exchanges, queues (classic or quorum) and bindings.
 * Idempotent. Uses a channel of its own, because a declaration the broker refuses (a queue that
 * exists with other arguments) closes the channel it was made on.
 */
export async function declareTopology(connection: ChannelModel, topology: Topology): Promise<void> {
  if (topology.exchanges.length + topology.queues.length + topology.bindings.length === 0) return;
  const channel = await connection.createChannel();
  let refused: Error | undefined;
  channel.on('error', (error: Error) => {
    refused = error;
  });
  try {
    for (const exchange of topology.exchanges) {
      await declare(`exchange "${exchange.name}"`, () =>
        channel.assertExchange(exchange.name, 'fanout', {
          durable: exchange.durable,
          autoDelete: exchange.autoDelete,
        }),
      );
    }
    for (const queue of topology.queues) {
      await declare(`queue "${queue.name}"`, () =>
        channel.assertQueue(queue.name, {
          durable: queue.durable,
          autoDelete: queue.autoDelete,
          arguments: queue.queueType === 'quorum' ? { 'x-queue-type': 'quorum' } : {},
        }),
      );
    }
    for (const binding of topology.bindings) {
      await declare(`binding "${binding.source}" → "${binding.destination}"`, () =>
        binding.destinationType === 'queue'
          ? channel.bindQueue(binding.destination, binding.source, '')
          : channel.bindExchange(binding.destination, binding.source, ''),
      );
    }
  } finally {
    if (!refused) await channel.close().catch(() => {});
  }
}

async function declare(what: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    throw new TopologyDeclarationError(`RabbitMQ refused to declare ${what}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** A queue with its exchange of the same name, as MassTransit declares a send endpoint. */
export function endpointQueueTopology(queue: string): Topology {
  return {
    exchanges: [{ name: queue, role: 'endpoint', durable: true, autoDelete: false }],
    queues: [{ name: queue, role: 'endpoint', durable: true, autoDelete: false, queueType: 'classic' }],
    bindings: [{ source: queue, destination: queue, destinationType: 'queue' }],
  };
}
