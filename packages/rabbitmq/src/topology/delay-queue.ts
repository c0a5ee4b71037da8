/**
 * Delayed delivery without the delayed-message plugin: a message waits in `<queue>_delay_<ms>`, a
 * queue with a message TTL of `ms` that dead-letters expired messages straight to `<queue>` through
 * the default exchange. One delay queue per destination and delay keeps every message in it expiring
 * in arrival order (a per-message TTL in a shared queue would wait behind a longer one at its head).
 * Unused delay queues delete themselves a minute after their last message left.
 */
export function delayQueueName(queue: string, delayMs: number): string {
  return `${queue}_delay_${Math.round(delayMs)}`;
}

/** The arguments that make a delay queue. */
export function delayQueueArguments(queue: string, delayMs: number): Record<string, unknown> {
  const ttl = Math.max(1, Math.round(delayMs));
  return {
    'x-message-ttl': ttl,
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': queue,
    'x-expires': ttl + 60_000,
  };
}

/**
 * The bus's own redelivery waits in `<queue>_redelivery_<ms>`, apart from the delay queues anyone's
 * delayed sends use: the broker's `x-death` entry naming it then shows the message expired out of this
 * endpoint's redelivery path, which is what lets the bus trust the redelivery state the message carries.
 */
export function redeliveryQueueName(queue: string, delayMs: number): string {
  return `${queue}_redelivery_${Math.round(delayMs)}`;
}

/**
 * Whether an AMQP delivery to `queue` last dead-lettered out of that queue's own redelivery path: the
 * newest `x-death` entry (the broker puts its own first) names `<queue>_redelivery_<ms>`, expired. A
 * producer can still publish a forged `x-death` straight to the queue (RabbitMQ 3.10 keeps a client's
 * table); see docs/decisions/0018-headers-the-bus-trusts.md for that boundary.
 */
export function cameThroughRedeliveryPath(
  queue: string,
  headers: Record<string, unknown> | undefined,
): boolean {
  const deaths = headers?.['x-death'];
  if (!Array.isArray(deaths)) return false;
  const newest = deaths[0] as Record<string, unknown> | undefined;
  if (typeof newest !== 'object' || newest === null) return false;
  const from = newest.queue;
  if (typeof from !== 'string' || newest.reason !== 'expired') return false;
  const prefix = `${queue}_redelivery_`;
  return from.startsWith(prefix) && /^\d+$/.test(from.slice(prefix.length));
}
