import amqp, { type ChannelModel } from 'amqplib';

/**
 * Exact consumer counts (and ready messages) of queues, asked of the broker over AMQP (a passive declare answers at once).
 * The management API's figures are refreshed every few seconds, so a slot that just started would read
 * as having no consumers and be judged stopped, and one just killed as still running. One connection
 * is kept between passes and opened again if it drops.
 */
export class ConsumerCounts {
  readonly #url: string;
  #connection: Promise<ChannelModel> | undefined;

  constructor(amqpUrl: string) {
    this.#url = amqpUrl;
  }

  /** Consumers and ready messages of each queue that exists; a queue that does not is left out. */
  async of(queues: readonly string[]): Promise<Map<string, { consumers: number; ready: number }>> {
    const counts = new Map<string, { consumers: number; ready: number }>();
    if (queues.length === 0) return counts;
    const connection = await this.#connected();
    for (const queue of queues) {
      // A passive declare of a missing queue closes its channel: one channel per question.
      const channel = await connection.createChannel();
      channel.on('error', () => {});
      const found = await channel.checkQueue(queue).catch(() => undefined);
      if (found) counts.set(queue, { consumers: found.consumerCount, ready: found.messageCount });
      if (found) await channel.close().catch(() => {});
    }
    return counts;
  }

  async close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    await (await connection?.catch(() => undefined))?.close().catch(() => {});
  }

  #connected(): Promise<ChannelModel> {
    if (!this.#connection) {
      const opening = amqp.connect(this.#url).then((connection) => {
        connection.on('error', () => {});
        connection.on('close', () => {
          if (this.#connection === opening) this.#connection = undefined;
        });
        return connection;
      });
      opening.catch(() => {
        if (this.#connection === opening) this.#connection = undefined;
      });
      this.#connection = opening;
    }
    return this.#connection;
  }
}
