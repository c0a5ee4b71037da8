import { qualified } from '../sql/identifiers.ts';
import { notifyChannel } from '../sql/notify-channel.ts';

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
    // One channel per schema; the payload names the queue.
    channel: notifyChannel('yard_transport_', schema),
  };
}
