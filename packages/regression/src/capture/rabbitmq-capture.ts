import { RabbitMqTransport } from '@switchyard/rabbitmq';
import amqp, { type ChannelModel } from 'amqplib';
import type { CaptureStore } from '../store/capture-store.ts';
import type { CaptureOptions } from './capture-options.ts';
import { type CaptureQueueAccess, TransportCapture } from './transport-capture.ts';

/** Options for a RabbitMQ tap: the environment's broker URL (its vhost included) and what to capture. */
export interface RabbitMqCaptureOptions extends CaptureOptions {
  /** `amqp://user:password@host:5672/vhost` of the environment captured. */
  readonly url: string;
}

/**
 * A tap on one environment's RabbitMQ vhost: a durable queue of its own bound to the chosen fanout
 * exchanges. A fanout exchange copies every message to every bound queue, so the environment's own
 * consumers are not touched: they get every message as before.
 */
export class RabbitMqCapture extends TransportCapture {
  constructor(store: CaptureStore, options: RabbitMqCaptureOptions) {
    super(
      new RabbitMqTransport({
        url: options.url,
        connectionName: `switchyard-regression-capture ${options.run} ${options.environment}`,
        ...(options.logger ? { logger: options.logger } : {}),
      }),
      new AmqpQueueAccess(options.url),
      store,
      options,
    );
  }
}

/** Queue depth and deletion over a connection of its own, opened when first needed. */
class AmqpQueueAccess implements CaptureQueueAccess {
  readonly #url: string;
  #connection: Promise<ChannelModel> | undefined;

  constructor(url: string) {
    this.#url = url;
  }

  async depth(queue: string): Promise<number> {
    return this.#withChannel(async (channel) => (await channel.checkQueue(queue)).messageCount);
  }

  async remove(queue: string): Promise<void> {
    await this.#withChannel((channel) => channel.deleteQueue(queue));
  }

  async close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    await connection?.then((each) => each.close()).catch(() => {});
  }

  async #withChannel<T>(work: (channel: amqp.Channel) => Promise<T>): Promise<T> {
    this.#connection ??= amqp.connect(this.#url).then((connection) => {
      // A dropped connection is opened again on the next call.
      connection.on('close', () => {
        this.#connection = undefined;
      });
      connection.on('error', () => {});
      return connection;
    });
    let connection: ChannelModel;
    try {
      connection = await this.#connection;
    } catch (error) {
      this.#connection = undefined;
      throw error;
    }
    // A channel per call: a refused check (a missing queue) closes the channel it was made on.
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    try {
      return await work(channel);
    } finally {
      await channel.close().catch(() => {});
    }
  }
}
