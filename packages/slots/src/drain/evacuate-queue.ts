import { txCommit, txSelect } from '@switchyard/rabbitmq';
import amqp, { type GetMessage } from 'amqplib';

/** What an evacuation did. */
export interface EvacuationReport {
  readonly queue: string;
  readonly to: string;
  readonly moved: number;
  /** Why it stopped before the queue was empty, if it did. */
  readonly stoppedBecause?: string | undefined;
}

/** Messages moved per transaction: each costs the broker two commits (two disk syncs on a durable queue). */
const batchSize = 200;

/**
 * Moves the messages of a queue no slot reads any more to the live slot's exchange, a batch at a time,
 * in an AMQP transaction: the batch's publishes are committed, and seen routed, before its originals
 * are acknowledged (and that committed). So a message is never lost; a crash between the two commits
 * leaves copies in both queues under the same message ids, which the consuming endpoint's inbox
 * handles once. It stops, leaving the rest, when the queue has a consumer again (its slot came back and
 * reads its own) or when the live slot's exchange routes nowhere.
 */
export async function evacuateQueue(amqpUrl: string, queue: string, to: string): Promise<EvacuationReport> {
  const connection = await amqp.connect(amqpUrl);
  // A dropped link fails the move in progress (rolled back on the broker); it must not end the process.
  connection.on('error', () => {});
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    const returned = new Set<string>();
    channel.on('return', (message: GetMessage) => {
      returned.add(String(message.properties.messageId ?? ''));
    });
    await txSelect(channel);
    let moved = 0;
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
      for (const message of batch) {
        channel.publish(to, '', message.content, {
          ...message.properties,
          mandatory: true,
          persistent: true,
        });
      }
      await txCommit(channel);
      // What came back was not enqueued: its original stays unacknowledged, back in its queue on close.
      const routed = batch.filter((message) => !returned.has(String(message.properties.messageId ?? '')));
      for (const message of routed) channel.ack(message);
      await txCommit(channel);
      moved += routed.length;
      if (routed.length < batch.length)
        return { queue, to, moved, stoppedBecause: `${to} routes to no queue` };
    }
  } finally {
    await connection.close().catch(() => {});
  }
}
