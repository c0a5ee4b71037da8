import { type Codec, codecFor, massTransitJsonCodec, type TransportMessage } from '@switchyard/bus';
import type { CapturedMessage, CaptureEnvironment } from '../captured-message.ts';
import { CaptureUnreadableError } from '../regression-errors.ts';

/** Where a captured message came from, stamped on what the tap stores. */
export interface CaptureSource {
  readonly run: string;
  readonly environment: CaptureEnvironment;
}

/**
 * Reads one captured transport message as the store keeps it. Throws CaptureUnreadableError when the
 * body is not an envelope the codecs read; the tap stores such a body as malformed rather than dropping it.
 */
export function capturedMessageFrom(
  transportMessage: TransportMessage,
  source: CaptureSource,
  capturedAt: Date,
  codecs: readonly Codec[] = [massTransitJsonCodec],
): CapturedMessage {
  let envelope: ReturnType<Codec['decode']>;
  try {
    // A message without a content type is read as MassTransit JSON, the format every service here writes.
    const codec = transportMessage.contentType
      ? codecFor(codecs, transportMessage.contentType)
      : massTransitJsonCodec;
    envelope = codec.decode(transportMessage.body);
  } catch (error) {
    throw new CaptureUnreadableError(
      `Captured message ${transportMessage.messageId || '(no id)'} on ${source.environment} is not a readable envelope: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const [messageType] = envelope.messageType;
  if (messageType === undefined)
    throw new CaptureUnreadableError(`Captured message ${envelope.messageId} has no message type`);
  const sent = Date.parse(envelope.sentTime);
  const year = new Date(sent).getUTCFullYear();
  // Any text Date.parse reads passes the codec; the store needs a time PostgreSQL holds, and one
  // that never would must be reported, not retried against the store for ever.
  if (Number.isNaN(sent) || year < 1 || year > 9999)
    throw new CaptureUnreadableError(
      `Captured message ${envelope.messageId} has a sentTime the store cannot hold: ${JSON.stringify(envelope.sentTime)}`,
    );
  return {
    run: source.run,
    environment: source.environment,
    messageId: envelope.messageId,
    correlationId: envelope.correlationId,
    conversationId: envelope.conversationId,
    messageType,
    sentTime: new Date(sent).toISOString(),
    capturedAt: capturedAt.toISOString(),
    message: envelope.message,
    headers: envelope.headers,
  };
}
