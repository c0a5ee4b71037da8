import type { OutgoingMessage } from '../ports/outbox.ts';
import type { ConsumeContext } from './consume-context.ts';

/**
 * Builds the one message `produce` publishes or sends through `context` (addresses and conversation as
 * the context sets them, stamped by the bus's outbound middleware) without sending it: for handing it
 * to the scheduler in the consumer's transaction, or changing its transport headers first.
 */
export async function captureOutgoing(
  context: ConsumeContext,
  produce: () => Promise<void>,
): Promise<OutgoingMessage> {
  const sink = context.outgoing;
  const messages: OutgoingMessage[] = [];
  context.outgoing = { add: async (message) => void messages.push(message) };
  try {
    await produce();
  } finally {
    context.outgoing = sink;
  }
  const [message] = messages;
  if (!message || messages.length > 1) {
    throw new Error(`captureOutgoing expects exactly one message to be produced, got ${messages.length}`);
  }
  return message;
}
