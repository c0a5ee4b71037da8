/**
 * @node-ts/bus (bus-core with bus-rabbitmq) doing the work of the RabbitMQ throughput and latency
 * benchmarks: a bus sends 1 KB JSON messages to its own service queue and a handler receives them,
 * on the same broker, in the same rounds as raw amqplib and Switchyard.
 *
 * Configured as close to the other paths as its options go:
 * - `withConcurrency(100)`: 100 receive loops, so at most 100 messages handled and unacknowledged at
 *   once, as the others' prefetch 100 and concurrency 100.
 * - Messages go where its `send` puts them: a durable fanout exchange named after the message, bound
 *   to the durable service queue (the raw throughput path and Switchyard also go through a fanout
 *   exchange; the raw latency path sends straight to its queue).
 * - Its default JSON serializer; the default logger (the `debug` package), silent unless DEBUG is set.
 *
 * What it cannot be set to match (bus-rabbitmq 1.0.5 has only queueName, connectionString,
 * maxRetries and deadLetterQueueName):
 * - No publisher confirms: it publishes on a plain channel and `send` resolves once the frame is
 *   buffered, so "100 sends in flight" limits nothing and a broker that loses a message never says.
 * - Not persistent: it publishes without `persistent: true` (delivery mode 1), so the broker keeps
 *   the messages in memory, where the other paths have each one written to disk.
 * - No consumer: each receive loop asks for one message with `basic.get` (one round trip per
 *   message, and amqplib runs a channel's round trips one at a time), acks it with `basic.ack`, and
 *   sleeps 500 ms when the queue was empty; there is no prefetch to set.
 * - Its own bundled amqplib (0.6.x), not the project's 2.x, connected without socket options, so
 *   with Nagle's algorithm on (amqplib's default, also on Switchyard's and raw amqplib's connections
 *   here). Streaming consumers do not notice; one `basic.get` round trip at a time does, as each
 *   small frame waits for the broker's delayed ACK: on this machine the bus receives about 45 msg/s.
 *   So it runs twice: as shipped, and with TCP_NODELAY set on its socket after it connects, which
 *   its configuration cannot do (see `NoDelayRabbitMqTransport`).
 * The first two make its work lighter than the others'; the last two are its receive design.
 */
import type { Socket } from 'node:net';
import { Bus, type BusInstance } from '@node-ts/bus-core';
// bus-rabbitmq's CommonJS re-exports are not visible to Node's named-export detection.
import busRabbitMq from '@node-ts/bus-rabbitmq';
import { type LatencyRound, latencyPayload, latencyPrefetch } from '../rabbitmq-latency.bench.ts';
import { inFlight, type ThroughputRound, throughputPayload } from '../rabbitmq-throughput.bench.ts';
import { withCleanup } from '../support/cleanup.ts';
import { atFixedRate, countdown, runConcurrently } from '../support/measure.ts';
import { deleteRabbitMqEntities, rabbitMqUrl as url } from '../support/rabbitmq.ts';

const { RabbitMqTransport } = busRabbitMq;

/**
 * bus-rabbitmq's transport with TCP_NODELAY on its socket: its `connect` opens amqplib's connection
 * with no socket options, so the option is set on the socket once connected. The connection is a
 * private field of the transport and the socket is amqplib's `connection.stream`: neither is public
 * API, so this holds for these versions only.
 */
class NoDelayRabbitMqTransport extends RabbitMqTransport {
  override async connect(): Promise<void> {
    await super.connect();
    const internals = this as unknown as { connection: { connection: { stream: Socket } } };
    internals.connection.connection.stream.setNoDelay(true);
  }
}

/**
 * A message as @node-ts/bus wants one: `$name` (its exchange and its handler) and `$version`. Its
 * `Command` base class only declares these two, so plain classes do without a third package.
 */
interface NodeTsMessage {
  readonly $name: string;
  readonly $version: number;
}

/** The throughput benchmark's message. */
class Reading implements NodeTsMessage {
  readonly $name = 'bench.nodets.Reading';
  readonly $version = 1;
  sequence = 0;
  payload = '';
}

/** The latency benchmark's message. */
class Ping implements NodeTsMessage {
  readonly $name = 'bench.nodets.Ping';
  readonly $version = 1;
  sentAt = 0;
  payload = '';
}

/**
 * Runs `work` on a started bus whose service queue receives `messageType`, then disposes of the bus
 * and deletes everything bus-rabbitmq declared for it.
 */
async function withBus<M extends NodeTsMessage, T>(
  noDelay: boolean,
  messageType: new () => M,
  concurrency: number,
  handle: (message: M) => void,
  work: (bus: BusInstance) => Promise<T>,
): Promise<T> {
  const queue = `bench-nodets-${process.pid}-${Date.now()}`;
  // Its own dead-letter queue, not the shared default `dead-letter`, so it can be deleted after.
  const deadLetterQueue = `${queue}-dead-letter`;
  const signals = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  return withCleanup(
    async () => {
      const configuration = { queueName: queue, connectionString: url, deadLetterQueueName: deadLetterQueue };
      const bus = Bus.configure()
        .withTransport(
          noDelay ? new NoDelayRabbitMqTransport(configuration) : new RabbitMqTransport(configuration),
        )
        .withConcurrency(concurrency)
        .withHandler({ messageType, messageHandler: async (message: M) => handle(message) })
        .build();
      try {
        await bus.initialize();
        await bus.start();
        return await work(bus);
      } finally {
        // Also closes the connection of a bus that failed to start (or fails, if it never opened).
        // On a connection the broker closed, closing its channel may never be answered: give up then.
        const disposed = bus.dispose().catch(() => {});
        await Promise.race([disposed, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      }
    },
    async () => {
      // Each bus adds SIGINT and SIGTERM listeners that stop it and never removes them; they would
      // pile up over the rounds and keep Ctrl-C from ending the process.
      for (const [signal, before] of Object.entries(signals)) {
        for (const listener of process.listeners(signal as NodeJS.Signals)) {
          if (!before.includes(listener)) process.off(signal, listener);
        }
      }
      await deleteRabbitMqEntities(url, {
        queues: [queue, `${queue}-retry`, deadLetterQueue],
        exchanges: [queue, `${queue}-retry`, new messageType().$name],
      });
    },
  );
}

/** One throughput round: `messages` sends, 100 at a time, until the handler has seen them all. */
async function throughput(noDelay: boolean, messages: number): Promise<number> {
  const received = countdown(messages);
  return withBus(noDelay, Reading, inFlight, received.tick, async (bus) => {
    const started = performance.now();
    await runConcurrently(messages, inFlight, (sequence) => {
      const reading = new Reading();
      reading.sequence = sequence;
      reading.payload = throughputPayload;
      return bus.send(reading);
    });
    await received.finished;
    return performance.now() - started;
  });
}

/** One latency round: `total` sends at `rate` a second; each message's time from send to handler. */
async function latency(noDelay: boolean, rate: number, total: number): Promise<number[]> {
  const latencies: number[] = [];
  const finished = countdown(total);
  const handle = (ping: Ping) => {
    latencies.push(performance.now() - ping.sentAt);
    finished.tick();
  };
  return withBus(noDelay, Ping, latencyPrefetch, handle, async (bus) => {
    await atFixedRate(rate, total, () => {
      const ping = new Ping();
      ping.sentAt = performance.now();
      ping.payload = latencyPayload;
      return bus.send(ping);
    });
    await finished.finished;
    return latencies;
  });
}

/** @node-ts/bus's rounds for the RabbitMQ benchmarks, as shipped or with TCP_NODELAY on its socket. */
export function nodeTsBus(options: { readonly noDelay: boolean }): {
  readonly throughput: ThroughputRound;
  readonly latency: LatencyRound;
} {
  return {
    throughput: (messages) => throughput(options.noDelay, messages),
    latency: (rate, total) => latency(options.noDelay, rate, total),
  };
}
