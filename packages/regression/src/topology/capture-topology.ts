import type { Topology } from '@switchyard/bus';

/**
 * The tap's own queue: one per run and environment, named so that whoever lists the broker's queues
 * sees what it is and which run left it behind.
 */
export function captureQueueName(run: string, environment: string): string {
  return `switchyard.regression.${run}.${environment}`;
}

/**
 * The capture queue and its bindings: each chosen exchange (a message type's fanout exchange) also
 * delivers to the capture queue, so every consumer already bound keeps getting every message.
 */
export function captureTopology(queue: string, exchanges: readonly string[]): Topology {
  return {
    exchanges: exchanges.map((name) => ({ name, role: 'message-type', durable: true, autoDelete: false })),
    queues: [{ name: queue, role: 'endpoint', durable: true, autoDelete: false, queueType: 'classic' }],
    bindings: exchanges.map((source) => ({ source, destination: queue, destinationType: 'queue' })),
  };
}
