import {
  describeErrorQueueMessage,
  type ErrorQueueMessage,
  type ErrorQueues,
  headersForRetry,
} from '@switchyard/bus';
import amqp, { type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import { fromDelivery } from './amqp-message.ts';

/** Options for the error queue tools. */
export interface ErrorQueueToolsOptions {
  readonly url: string;
  /**
   * Called after a message has been published to its source queue and acked in the error queue, but
   * before the transaction commits; returning true abandons the move there (for fault tests).
   */
  readonly interruptBeforeCommit?: () => boolean;
}

/**
 * Inspect, retry and purge error queues. A retry moves each message in an AMQP transaction: the
 * publish to the source queue and the ack in the error queue commit together, so an interrupted
 * retry leaves the message in the error queue and not also in the source queue.
 */
export class ErrorQueueTools implements ErrorQueues {
  readonly #options: ErrorQueueToolsOptions;
  #connection: ChannelModel | undefined;

  constructor(options: ErrorQueueToolsOptions) {
    this.#options = options;
  }

  /** Up to `limit` messages from the front of the queue, left in place. */
  async list(errorQueue: string, limit = 50): Promise<ErrorQueueMessage[]> {
    return this.#withChannel(async (channel) => {
      const found: ErrorQueueMessage[] = [];
      for (let index = 0; index < limit; index++) {
        const message = await channel.get(errorQueue, { noAck: false });
        if (!message) break;
        found.push(describe(message, errorQueue));
      }
      // Closing the channel returns every message taken, unacknowledged, to the queue.
      return found;
    });
  }

  /** One message by id, or undefined (looks at up to `limit` messages). */
  async show(errorQueue: string, messageId: string, limit = 10_000): Promise<ErrorQueueMessage | undefined> {
    return (await this.list(errorQueue, limit)).find((message) => message.messageId === messageId);
  }

  /** Moves the messages with these ids (all, without ids) back to their source queues; returns how many. */
  async retry(errorQueue: string, messageIds?: readonly string[]): Promise<number> {
    const wanted = messageIds ? new Set(messageIds) : undefined;
    return this.#withChannel(async (channel) => {
      const { messageCount } = await channel.checkQueue(errorQueue);
      await txSelect(channel);
      let moved = 0;
      for (let index = 0; index < messageCount; index++) {
        const message = await channel.get(errorQueue, { noAck: false });
        if (!message) break;
        const described = describe(message, errorQueue);
        if (wanted && !wanted.has(described.messageId)) continue; // stays unacked: back in the queue on close
        const headers = headersForRetry(message.properties.headers ?? {});
        channel.sendToQueue(described.sourceQueue, message.content, {
          ...message.properties,
          headers,
          persistent: true,
        });
        channel.ack(message);
        if (this.#options.interruptBeforeCommit?.()) return moved;
        await txCommit(channel);
        moved += 1;
      }
      return moved;
    });
  }

  /** Deletes every message in the queue; returns how many there were. */
  async purge(errorQueue: string): Promise<number> {
    return this.#withChannel(async (channel) => (await channel.purgeQueue(errorQueue)).messageCount);
  }

  async close(): Promise<void> {
    await this.#connection?.close().catch(() => {});
    this.#connection = undefined;
  }

  /** One connection for a run of operations; a dropped one fails what was in progress, and the next opens another. */
  async #connected(): Promise<ChannelModel> {
    if (this.#connection) return this.#connection;
    const connection = await amqp.connect(this.#options.url);
    // Without a listener, an 'error' from a dropped link would end the process instead of the operation.
    connection.on('error', () => {});
    connection.on('close', () => {
      if (this.#connection === connection) this.#connection = undefined;
    });
    this.#connection = connection;
    return connection;
  }

  async #withChannel<T>(work: (channel: Channel) => Promise<T>): Promise<T> {
    const channel = await (await this.#connected()).createChannel();
    channel.on('error', () => {});
    try {
      return await work(channel);
    } finally {
      await channel.close().catch(() => {});
    }
  }
}

function describe(message: GetMessage, errorQueue: string): ErrorQueueMessage {
  return describeErrorQueueMessage(fromDelivery(message), errorQueue);
}

/**
 * AMQP 0-9-1 transactions (class 90: select 10/11, commit 20/21), which amqplib implements on the wire
 * but does not expose; its channels send any method through `rpc`, with ids encoded as class << 16 | method.
 */
interface RpcChannel {
  rpc(method: number, fields: object, expect: number): Promise<unknown>;
}

async function txSelect(channel: Channel): Promise<void> {
  await (channel as unknown as RpcChannel).rpc((90 << 16) | 10, {}, (90 << 16) | 11);
}

async function txCommit(channel: Channel): Promise<void> {
  await (channel as unknown as RpcChannel).rpc((90 << 16) | 20, {}, (90 << 16) | 21);
}
