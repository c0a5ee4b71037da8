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
