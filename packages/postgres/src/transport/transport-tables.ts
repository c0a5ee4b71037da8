import { qualified } from '../sql/identifiers.ts';

/** The transport's qualified table names and notification channel for one schema. */
export interface TransportTables {
  readonly exchanges: string;
  readonly queues: string;
  readonly bindings: string;
  readonly messages: string;
  /** NOTIFY channel carrying the name of a queue that received messages. */
  readonly channel: string;
}

export function transportTables(schema: string): TransportTables {
  return {
    exchanges: qualified(schema, 'yard_exchanges'),
    queues: qualified(schema, 'yard_queues'),
    bindings: qualified(schema, 'yard_bindings'),
    messages: qualified(schema, 'yard_messages'),
    // Channels are identifiers (at most 63 bytes); one per schema, the payload names the queue.
    channel: `yard_transport_${schema}`.slice(0, 63),
  };
}
