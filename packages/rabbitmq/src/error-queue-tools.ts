import {
  describeErrorQueueMessage,
  type ErrorQueueMessage,
  type ErrorQueueMessageNotMoved,
  type ErrorQueueRetryResult,
  type ErrorQueues,
  headersForRetry,
} from '@switchyard/bus';
import amqp, { type Channel, type ChannelModel, type ConsumeMessage, type GetMessage } from 'amqplib';
import { fromDelivery } from './amqp-message.ts';
import { txCommit, txSelect } from './amqp-transactions.ts';
import { ErrorQueueRetryFailedError } from './rabbitmq-errors.ts';

/** Options for the error queue tools. */
export interface ErrorQueueToolsOptions {
  readonly url: string;
  /**
   * How long one commit of a retry may take before the retry fails (default 30 s): a broker that
   * blocks publishers (a memory or disk alarm) stops reading, and would hang the retry for good.
   */
  readonly commitTimeoutMs?: number;
  /**
   * Called after a message has been published to its source queue, before that publish is committed;
   * returning true abandons the move there (for fault tests): the message stays only in the error queue.
   */
  readonly interruptBeforeCommit?: () => boolean;
  /**
   * Called after the publish to the source queue was committed, before the ack in the error queue is;
   * returning true abandons the move there (for fault tests): the message is then in both queues.
   */
  readonly interruptBeforeAck?: () => boolean;
}

/**
 * Inspect, retry and purge error queues. A retry moves one message at a time on a transactional
 * channel, in two commits: first the publish to the source queue, mandatory, whose commit-ok the
 * broker sends only once the queue holds the message, and after any basic.return (no such queue);
 * then, only if it was not returned, the ack in the error queue. So a message leaves the error queue
 * only once its source queue holds it. An interruption before the first commit leaves it in the error
 * queue only; one between the two commits leaves it in both, the copy with the same message id: at
 * most one message per interrupted retry, which an endpoint with an inbox handles once.
 */
export class ErrorQueueTools implements ErrorQueues {
  readonly #options: ErrorQueueToolsOptions;
  #connection: ChannelModel | undefined;
  /** Why the broker blocked publishing on the connection (connection.blocked), while it does. */
  #blockedReason: string | undefined;

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
      returnTaken(channel);
      return found;
    });
  }

  /** One message by id, or undefined (looks at up to `limit` messages). */
  async show(errorQueue: string, messageId: string, limit = 10_000): Promise<ErrorQueueMessage | undefined> {
    return (await this.list(errorQueue, limit)).find((message) => message.messageId === messageId);
  }

  /**
   * Moves the messages with these ids (all, without ids) back to their source queues. One that no
   * queue took (its source queue no longer exists) stays in the error queue and is listed in `notMoved`.
   */
  async retry(errorQueue: string, messageIds?: readonly string[]): Promise<ErrorQueueRetryResult> {
    const wanted = messageIds ? new Set(messageIds) : undefined;
    return this.#withChannel(async (channel) => {
      let returned: { replyCode: number; replyText: string } | undefined;
      // One publish at a time on this channel, so a return can only be that publish's.
      channel.on('return', (message: ConsumeMessage) => {
        const fields = message.fields as ConsumeMessage['fields'] & { replyCode: number; replyText: string };
        returned = { replyCode: fields.replyCode, replyText: fields.replyText };
      });
      const { messageCount } = await channel.checkQueue(errorQueue);
      await txSelect(channel);
      let moved = 0;
      const notMoved: ErrorQueueMessageNotMoved[] = [];
      for (let index = 0; index < messageCount; index++) {
        const message = await channel.get(errorQueue, { noAck: false });
        if (!message) break;
        const described = describe(message, errorQueue);
        if (wanted && !wanted.has(described.messageId)) continue; // stays unacked: returned at the end
        const { sourceQueue } = described;
        if (this.#blockedReason !== undefined) {
          throw new ErrorQueueRetryFailedError(
            `RabbitMQ blocks publishing (${this.#blockedReason}): ${moved} moved, message ${described.messageId} and the rest stay in "${errorQueue}". Retry once the broker's alarm clears.`,
          );
        }
        returned = undefined;
        channel.sendToQueue(sourceQueue, message.content, {
          ...message.properties,
          headers: headersForRetry(message.properties.headers ?? {}),
          persistent: true,
          mandatory: true,
        });
        if (this.#options.interruptBeforeCommit?.()) return { moved, notMoved };
        await this.#commit(
          channel,
          `publish message ${described.messageId} to queue "${sourceQueue}"`,
          `It stays in the error queue (after a timeout it may also reach "${sourceQueue}" once the broker reads what was sent: one copy, same message id)`,
          moved,
        );
        if (returned) {
          // Nothing was enqueued; the message stays unacked here, returned to the error queue at the end.
          notMoved.push({
            messageId: described.messageId,
            sourceQueue,
            reason: returnReason(sourceQueue, returned),
          });
          continue;
        }
        if (this.#options.interruptBeforeAck?.()) return { moved, notMoved };
        channel.ack(message);
        await this.#commit(
          channel,
          `acknowledge message ${described.messageId} in "${errorQueue}"`,
          `It is now in both "${sourceQueue}" and the error queue, with the same message id`,
          moved,
        );
        moved += 1;
      }
      returnTaken(channel);
      await this.#commit(
        channel,
        `put back the messages kept in "${errorQueue}"`,
        'They are back once the connection closes',
        moved,
      );
      return { moved, notMoved };
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

  /**
   * Drops the connection without the close handshake, which a broker that stopped reading would never
   * answer; the broker then rolls back the open transaction and returns unacked messages to their queue.
   */
  #abandonConnection(): void {
    const connection = this.#connection;
    this.#connection = undefined;
    this.#blockedReason = undefined;
    (
      connection as unknown as { connection?: { stream?: { destroy(error: Error): void } } } | undefined
    )?.connection?.stream?.destroy(
      // With an error, amqplib closes the connection, its channels and its heartbeat as for a dropped link.
      new Error('The broker did not answer in time; the connection was dropped'),
    );
  }

  /**
   * Commits, or fails the whole retry: a failed commit closes the channel, which returns the message to
   * the error queue and rolls back what was not committed. One that takes too long closes the
   * connection for the same effect.
   */
  async #commit(channel: Channel, what: string, where: string, moved: number): Promise<void> {
    const timeoutMs = this.#options.commitTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const blocked =
          this.#blockedReason === undefined ? '' : `, RabbitMQ blocks publishing: ${this.#blockedReason}`;
        reject(new Error(`no answer within ${timeoutMs}ms${blocked}`));
        this.#abandonConnection();
      }, timeoutMs);
    });
    try {
      await Promise.race([txCommit(channel), timedOut]);
    } catch (error) {
      throw new ErrorQueueRetryFailedError(
        `Could not ${what}: ${(error as Error).message}. ${where}; ${moved} moved before it. Retry again once the broker accepts it.`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /** One connection for a run of operations; a dropped one fails what was in progress, and the next opens another. */
  async #connected(): Promise<ChannelModel> {
    if (this.#connection) return this.#connection;
    const connection = await amqp.connect(this.#options.url);
    // Without a listener, an 'error' from a dropped link would end the process instead of the operation.
    connection.on('error', () => {});
    connection.on('blocked', (reason: unknown) => {
      if (this.#connection === connection) this.#blockedReason = String(reason);
    });
    connection.on('unblocked', () => {
      if (this.#connection === connection) this.#blockedReason = undefined;
    });
    connection.on('close', () => {
      if (this.#connection !== connection) return;
      this.#connection = undefined;
      this.#blockedReason = undefined;
    });
    this.#connection = connection;
    return connection;
  }

  async #withChannel<T>(work: (channel: Channel) => Promise<T>): Promise<T> {
    const connection = await this.#connected();
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    try {
      return await work(channel);
    } finally {
      // An abandoned connection's channels went with it; a close would wait for an answer never coming.
      if (this.#connection === connection) await channel.close().catch(() => {});
    }
  }
}

/** AMQP reply code 312: the broker found no queue for a mandatory publish. */
const noRoute = 312;

function returnReason(sourceQueue: string, returned: { replyCode: number; replyText: string }): string {
  // Through the default exchange, no route means no queue of that name.
  if (returned.replyCode === noRoute) return `source queue "${sourceQueue}" does not exist`;
  return `the broker returned it (${returned.replyCode} ${returned.replyText})`;
}

function describe(message: GetMessage, errorQueue: string): ErrorQueueMessage {
  return describeErrorQueueMessage(fromDelivery(message), errorQueue);
}

/**
 * Puts every message this channel took and did not acknowledge back in its queue now. Closing the
 * channel would too, but the broker requeues those only once the channel is gone, after it answered
 * the close: a list or a count right after could then miss them. In a transaction, the commit applies it.
 */
function returnTaken(channel: Channel): void {
  channel.nackAll(true);
}
