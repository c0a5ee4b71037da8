import {
  type Envelope,
  entityNameFromUrn,
  massTransitJsonCodec,
  routingHeadersOf,
  type Transport,
  uuidv7,
} from '@switchyard/bus';
import type { CaptureEnvironment } from '../captured-message.ts';
import type { CaptureStore } from '../store/capture-store.ts';

export interface ReplayOptions {
  readonly store: CaptureStore;
  /** The run and environment whose captured messages are replayed (an input stream captured by a tap). */
  readonly run: string;
  readonly environment: CaptureEnvironment;
  /** The candidate environment's transport, started: each message is published to its type's exchange. */
  readonly into: Transport;
  /** Called after each page, with how many were replayed so far. */
  readonly onProgress?: (replayed: number) => void;
}

/**
 * Republishes a captured stream into another environment, in the order it was captured: each message to
 * its type's exchange, with a new message id (the candidate's inboxes must not take it for one they
 * handled) and its original correlation and conversation ids (so its outputs group with the baseline's).
 * Answers how many were replayed.
 */
export async function replayCaptured(options: ReplayOptions): Promise<number> {
  let replayed = 0;
  let after: number | undefined;
  do {
    const page = await options.store.capturedInOrder(options.run, options.environment, { after });
    for (const captured of page.messages) {
      const envelope: Envelope = {
        messageId: uuidv7(),
        correlationId: captured.correlationId,
        conversationId: captured.conversationId,
        messageType: [captured.messageType],
        message: captured.message,
        sentTime: new Date().toISOString(),
        headers: { ...captured.headers, 'Switchyard-Replayed-From': captured.messageId },
      };
      await options.into.publish(entityNameFromUrn(captured.messageType), {
        messageId: envelope.messageId,
        correlationId: envelope.correlationId,
        contentType: massTransitJsonCodec.contentType,
        body: massTransitJsonCodec.encode(envelope),
        // The transport headers a bus would put on it (the slot and canary bucket), for a slotted candidate.
        headers: routingHeadersOf(envelope),
      });
      replayed += 1;
    }
    options.onProgress?.(replayed);
    after = page.next;
  } while (after !== undefined);
  return replayed;
}
