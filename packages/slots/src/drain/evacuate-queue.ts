import { txCommit, txSelect } from '@switchyard/rabbitmq';
import amqp from 'amqplib';

/** What an evacuation did. */
export interface EvacuationReport {
  readonly queue: string;
  readonly to: string;
  readonly moved: number;
  /** Why it stopped before the queue was empty, if it did. */
  readonly stoppedBecause?: string | undefined;
}

/**
 * Moves the messages of a queue no slot reads any more to the live slot's exchange, one at a time, in
 * an AMQP transaction: the publish is committed and seen routed before the original is acknowledged
 * (and that committed), so a message is never lost; a crash between the two commits leaves one copy
 * in each queue under the same message id, which the consuming endpoint's inbox handles once. It
 * stops, leaving the rest, when the queue has a consumer again (its slot came back and reads its own)
 * or when the live slot's exchange routes nowhere.
 */
export async function evacuateQueue(amqpUrl: string, queue: string, to: string): Promise<EvacuationReport> {
  const connection = await amqp.connect(amqpUrl);
  // A dropped link fails the move in progress (rolled back on the broker); it must not end the process.
  connection.on('error', () => {});
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    let returned = false;
    channel.on('return', () => {
      returned = true;
    });
    const consumersOf = async () => (await channel.checkQueue(queue)).consumerCount;
    const { messageCount, consumerCount } = await channel.checkQueue(queue);
    if (consumerCount > 0)
      return { queue, to, moved: 0, stoppedBecause: `${queue} has ${consumerCount} consumer(s)` };
    await txSelect(channel);
    let moved = 0;
    for (let index = 0; index < messageCount; index++) {
      if (index % 50 === 49) {
        const now = await consumersOf();
        if (now > 0) return { queue, to, moved, stoppedBecause: `${queue} has ${now} consumer(s) again` };
      }
      const message = await channel.get(queue, { noAck: false });
      if (!message) break;
      returned = false;
      channel.publish(to, '', message.content, { ...message.properties, mandatory: true, persistent: true });
      await txCommit(channel);
      // Unacknowledged, the original goes back to its queue when the channel closes.
      if (returned) return { queue, to, moved, stoppedBecause: `${to} routes to no queue` };
      channel.ack(message);
      await txCommit(channel);
      moved += 1;
    }
    return { queue, to, moved };
  } finally {
    await connection.close().catch(() => {});
  }
}
