import { parseDestination } from '../envelope/addresses.ts';
import type { Headers, TransportMessage } from '../transport/transport.ts';
import { transportHeaders } from './transport-headers.ts';

/** A message in an error queue, with the fault it carries. */
export interface ErrorQueueMessage {
  readonly messageId: string;
  readonly contentType: string;
  readonly body: Uint8Array;
  readonly headers: Headers;
  /** The queue it failed on, where `retry` sends it back. */
  readonly sourceQueue: string;
  readonly fault: {
    readonly exceptionType?: string | undefined;
    readonly message?: string | undefined;
    readonly stackTrace?: string | undefined;
    readonly timestamp?: string | undefined;
    readonly consumer?: string | undefined;
    readonly retryCount?: number | undefined;
    readonly redeliveryCount?: number | undefined;
  };
}

/** A message a retry left in its error queue, and why. */
export interface ErrorQueueMessageNotMoved {
  readonly messageId: string;
  /** The queue it was to go back to. */
  readonly sourceQueue: string;
  /** Why it stayed, e.g. `source queue "refunds" does not exist`. */
  readonly reason: string;
}

/** What a retry did: how many messages went back, and each one that stayed in the error queue. */
export interface ErrorQueueRetryResult {
  readonly moved: number;
  readonly notMoved: readonly ErrorQueueMessageNotMoved[];
}

/**
 * Inspect, retry and purge error queues, on whichever transport holds them: what the CLI and the
 * console use. A retry takes a message out of the error queue only once its source queue holds it,
 * so nothing is lost; if interrupted it leaves the message where it was, or (RabbitMQ, a crash in the
 * moment between the two) one extra copy with the same message id in the source queue.
 */
export interface ErrorQueues {
  /** Up to `limit` messages from the front of the queue, left in place. */
  list(errorQueue: string, limit?: number): Promise<ErrorQueueMessage[]>;
  /** One message by id, or undefined. */
  show(errorQueue: string, messageId: string): Promise<ErrorQueueMessage | undefined>;
  /**
   * Moves the messages with these ids (all, without ids) back to their source queues; a message whose
   * source queue cannot take it stays in the error queue and is listed in `notMoved` with the reason.
   */
  retry(errorQueue: string, messageIds?: readonly string[]): Promise<ErrorQueueRetryResult>;
  /** Deletes every message in the queue; returns how many there were. */
  purge(errorQueue: string): Promise<number>;
  close(): Promise<void>;
}

/** Headers that describe one failure; a message moved back starts its retries afresh without them. */
const failureHeaders = new Set<string>([
  transportHeaders.reason,
  transportHeaders.redeliveryCount,
  transportHeaders.firstAttemptAt,
  transportHeaders.completedConsumers,
  transportHeaders.redeliveryQueue,
  transportHeaders.unsettledDeliveries,
  transportHeaders.sourceQueue,
  'x-death',
  'x-first-death-exchange',
  'x-first-death-queue',
  'x-first-death-reason',
]);

/** The headers a message keeps when it is moved back from an error queue to be tried again. */
export function headersForRetry(headers: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers).filter(
      ([name]) => !failureHeaders.has(name) && !name.startsWith('MT-Fault-') && !name.startsWith('MT-Host-'),
    ),
  );
}

/** Reads the fault headers of a message in `errorQueue`, and the queue it came from. */
export function describeErrorQueueMessage(message: TransportMessage, errorQueue: string): ErrorQueueMessage {
  const headers = message.headers;
  const text = (name: string) => (typeof headers[name] === 'string' ? (headers[name] as string) : undefined);
  const number = (name: string) =>
    headers[name] === undefined || headers[name] === null ? undefined : Number(headers[name]);
  const inputAddress = text(transportHeaders.faultInputAddress);
  const sourceQueue =
    text(transportHeaders.sourceQueue) ?? queueOfAddress(inputAddress) ?? errorQueue.replace(/_error$/, '');
  return {
    messageId: message.messageId,
    contentType: message.contentType,
    body: message.body,
    headers,
    sourceQueue,
    fault: {
      exceptionType: text(transportHeaders.faultExceptionType),
      message: text(transportHeaders.faultMessage),
      stackTrace: text(transportHeaders.faultStackTrace),
      timestamp: text(transportHeaders.faultTimestamp),
      consumer: text(transportHeaders.faultConsumerType),
      retryCount: number(transportHeaders.faultRetryCount),
      redeliveryCount: number(transportHeaders.redeliveryCount),
    },
  };
}

/** The queue an input address such as `rabbitmq://host/vhost/refunds` names, if it names one. */
function queueOfAddress(address: string | undefined): string | undefined {
  if (!address) return undefined;
  try {
    return parseDestination(address).name;
  } catch {
    return undefined;
  }
}
