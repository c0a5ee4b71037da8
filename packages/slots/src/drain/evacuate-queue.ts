import { txCommit, txSelect } from '@switchyard/rabbitmq';
import amqp, { type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import { EvacuationStalledError } from '../slots-errors.ts';

/** What an evacuation did. */
export interface EvacuationReport {
  readonly queue: string;
  readonly to: string;
  readonly moved: number;
  /** Why it stopped before the queue was empty, if it did. */
  readonly stoppedBecause?: string | undefined;
}

/** How long an evacuation waits on the broker. */
export interface EvacuationOptions {
  /**
   * How long one commit may take before the evacuation gives up, drops its connection (which rolls
   * back the batch on the broker) and fails with `SLOTS_EVACUATION_STALLED`. Default 30 s.
   */
  readonly commitTimeoutMs?: number;
}

/** Messages moved per transaction: each costs the broker two commits (two disk syncs on a durable queue). */
const batchSize = 200;

/**
 * Moves the messages of a queue no slot reads any more to the live slot's exchange, a batch at a time,
 * in an AMQP transaction: the batch's publishes are committed, and seen routed, before its originals
 * are acknowledged (and that committed). So a message is never lost; a crash between the two commits
 * leaves copies in both queues under the same message ids, which the consuming endpoint's inbox
 * handles once. It stops, leaving the rest, when the queue has a consumer again (its slot came back and
 * reads its own) or when the live slot's exchange routes one of them nowhere.
 *
 * Each publish carries its own token as its app-id, which a basic.return brings back: a returned
 * message is told from a routed one whatever their message ids (two may share one, or have none). The
 * consuming side does not read app-id; the transport's own publishes carry their token there too.
 */
export async function evacuateQueue(
  amqpUrl: string,
  queue: string,
  to: string,
  options: EvacuationOptions = {},
): Promise<EvacuationReport> {
  const commitTimeoutMs = options.commitTimeoutMs ?? 30_000;
  const connection = await amqp.connect(amqpUrl);
  let blockedReason: string | undefined;
  let abandoned = false;
  // A dropped link fails the move in progress (rolled back on the broker); it must not end the process.
  connection.on('error', () => {});
  connection.on('blocked', (reason: unknown) => {
    blockedReason = String(reason);
  });
  connection.on('unblocked', () => {
    blockedReason = undefined;
  });
  let moved = 0;
  const commit = async (channel: Channel, what: string, left: string) => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // A broker that stopped reading would not answer the close handshake either: drop the link,
        // and the broker rolls back the open transaction and requeues what this channel held.
        abandoned = true;
        abandon(connection);
        const blocked = blockedReason === undefined ? '' : ` (RabbitMQ blocks publishing: ${blockedReason})`;
        reject(
          new EvacuationStalledError(
            `Moving "${queue}" to "${to}": the broker did not ${what} within ${commitTimeoutMs}ms${blocked}; ` +
              `the connection was dropped, so ${left}. ${moved} moved before. Evacuating again (the reconciler's next pass does) moves the rest.`,
          ),
        );
      }, commitTimeoutMs);
    });
    try {
      await Promise.race([txCommit(channel), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    const returned = new Set<string>();
    channel.on('return', (message: GetMessage) => {
      returned.add(String(message.properties.appId ?? ''));
    });
    await txSelect(channel);
    let publishCount = 0;
    for (;;) {
      const { messageCount, consumerCount } = await channel.checkQueue(queue);
      if (consumerCount > 0)
        return { queue, to, moved, stoppedBecause: `${queue} has ${consumerCount} consumer(s)` };
      if (messageCount === 0) return { queue, to, moved };
      const batch: GetMessage[] = [];
      while (batch.length < Math.min(batchSize, messageCount)) {
        const message = await channel.get(queue, { noAck: false });
        if (!message) break;
        batch.push(message);
      }
      if (batch.length === 0) return { queue, to, moved };
      returned.clear();
      const tokens = batch.map(() => `evacuation-${++publishCount}`);
      for (const [index, message] of batch.entries()) {
        channel.publish(to, '', message.content, {
          ...message.properties,
          appId: tokens[index],
          mandatory: true,
          persistent: true,
        });
      }
      // The broker sends every basic.return of the batch before its commit-ok.
      await commit(
        channel,
        'commit the copies',
        `this batch stays in "${queue}" (should the broker still read the commit, it has copies in "${to}" too, under the same message ids: the inbox handles each once)`,
      );
      // What came back was not enqueued: its original stays unacknowledged, back in its queue on close.
      const routed = batch.filter((_message, index) => !returned.has(tokens[index] ?? ''));
      for (const message of routed) channel.ack(message);
      await commit(
        channel,
        'commit the acknowledgements',
        `this batch's ${routed.length} copies are in "${to}" and their originals back in "${queue}" (same message ids: the inbox handles each once)`,
      );
      moved += routed.length;
      if (routed.length < batch.length)
        return { queue, to, moved, stoppedBecause: `${to} routes to no queue` };
    }
  } finally {
    if (!abandoned) await connection.close().catch(() => {});
  }
}

/** Drops the connection without the close handshake, as a cut link would. */
function abandon(connection: ChannelModel): void {
  (
    connection as unknown as { connection?: { stream?: { destroy(error: Error): void } } }
  ).connection?.stream?.destroy(new Error('The broker did not answer in time; the connection was dropped'));
}
