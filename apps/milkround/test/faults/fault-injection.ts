import { setTimeout as sleep } from 'node:timers/promises';
import { connectPostgres } from '@switchyard/postgres';
import amqp from 'amqplib';

/**
 * Holds a lock on `table` that blocks inserts (readers go on) for `heldMs`: every handler that writes
 * the table waits, past its timeout, as behind a slow disk or a long report.
 */
export async function holdInsertLock(databaseUrl: string, table: string, heldMs: number): Promise<void> {
  const client = connectPostgres({ url: databaseUrl, maxConnections: 1, applicationName: 'fault-lock' });
  try {
    await client.transaction(async (tx) => {
      await tx.query(`lock table ${table} in share mode`);
      await sleep(heldMs);
    });
  } finally {
    await client.close();
  }
}

/** A raw AMQP message as read from a queue. */
export interface CopiedMessage {
  readonly content: Buffer;
  readonly properties: amqp.MessageProperties;
}

/**
 * A queue bound to an endpoint's exchange, so that it receives a copy of every message the endpoint
 * does, to be sent again later: duplicates that arrive after the original, out of order.
 */
export interface EndpointTap {
  /** Takes every copy gathered so far off the tap queue. */
  drain(): Promise<CopiedMessage[]>;
  /** Publishes messages to the endpoint's exchange as they are, with the same message ids. */
  publish(messages: readonly CopiedMessage[]): Promise<void>;
  close(): Promise<void>;
}

export async function tapEndpoint(vhostUrl: string, endpoint: string): Promise<EndpointTap> {
  const connection = await amqp.connect(vhostUrl);
  const channel = await connection.createConfirmChannel();
  const tapQueue = `${endpoint}-fault-tap`;
  await channel.assertQueue(tapQueue, { durable: true });
  await channel.bindQueue(tapQueue, endpoint, '');
  return {
    async drain() {
      const copies: CopiedMessage[] = [];
      for (;;) {
        const message = await channel.get(tapQueue, { noAck: true });
        if (!message) return copies;
        copies.push({ content: message.content, properties: message.properties });
      }
    },
    async publish(messages) {
      for (const { content, properties } of messages) {
        channel.publish(endpoint, '', content, {
          persistent: true,
          contentType: properties.contentType,
          messageId: properties.messageId,
          headers: properties.headers,
        });
      }
      await channel.waitForConfirms();
    },
    async close() {
      await channel.deleteQueue(tapQueue);
      await connection.close();
    },
  };
}

/** The messages an error queue holds, with the reason each was put there; the queue keeps them. */
export async function errorQueueReasons(
  vhostUrl: string,
  queue: string,
): Promise<{ messageId: string | undefined; reason: string }[]> {
  const connection = await amqp.connect(vhostUrl);
  try {
    const channel = await connection.createChannel();
    const found: { messageId: string | undefined; reason: string }[] = [];
    for (;;) {
      const message = await channel.get(queue, { noAck: false });
      if (!message) break;
      found.push({
        messageId: message.properties.messageId as string | undefined,
        reason: String(message.properties.headers?.['MT-Fault-Message'] ?? ''),
      });
    }
    // Closing the channel returns every unacknowledged message to the queue, in order.
    await channel.close();
    return found;
  } finally {
    await connection.close();
  }
}
