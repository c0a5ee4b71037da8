import type { Codec } from '../codec/codec.ts';
import type { MessageType } from '../contracts/message-type.ts';
import { validateMessage } from '../contracts/validation.ts';
import type { MessageOptions } from '../endpoint/consume-context.ts';
import type { Destination } from '../envelope/addresses.ts';
import { type Envelope, envelopeHeaders, type HostInfo } from '../envelope/envelope.ts';
import { uuidv7 } from '../envelope/uuidv7.ts';
import { endSpan, startProducerSpan } from '../observability/telemetry.ts';
import type { OutgoingMessage } from '../ports/outbox.ts';
import type { HeaderValue } from '../transport/transport.ts';

/** What the bus knows when it builds a message: how to encode it, where it is, and what caused it. */
export interface ProducerScope {
  readonly codec: Codec;
  readonly host: HostInfo;
  readonly addressOf: (entity: string) => string;
  /** The address of the endpoint (or bus) producing the message. */
  readonly sourceAddress: string;
  /** The message being consumed, whose conversation the new message joins. */
  readonly parent?: Envelope | undefined;
}

/**
 * Validates a message against its type and builds the outgoing message: envelope with ids flowing
 * from the parent (conversation, initiator, correlation, slot), trace context, then encoded.
 */
export async function buildOutgoing<T>(
  scope: ProducerScope,
  target: { kind: 'publish' } | { kind: 'send'; destination: Destination },
  type: MessageType<T>,
  message: T,
  options: MessageOptions = {},
  validation: 'validate' | 'trusted' = 'validate',
): Promise<OutgoingMessage> {
  // Faults carry the message that failed, which may be exactly what failed validation.
  const valid = validation === 'validate' ? await validateMessage(type, message) : message;
  const parent = scope.parent;
  const messageId = options.messageId ?? uuidv7();
  const conversationId = parent ? (parent.conversationId ?? parent.messageId) : messageId;
  const exchangeTarget = target.kind === 'publish' || target.destination.kind === 'exchange';
  const destination = target.kind === 'publish' ? type.entityName : target.destination.name;
  const { span, traceHeaders } = startProducerSpan(target.kind, destination, {
    messageId,
    conversationId,
    messageType: type.name,
  });
  try {
    const headers: Record<string, HeaderValue> = {};
    const slot = parent?.headers[envelopeHeaders.slot];
    if (slot !== undefined) headers[envelopeHeaders.slot] = slot;
    Object.assign(headers, options.headers, traceHeaders);
    const sentAt = Date.now();
    const envelope: Envelope<T> = {
      messageId,
      requestId: options.requestId,
      correlationId: options.correlationId ?? parent?.correlationId,
      conversationId,
      initiatorId: parent?.messageId,
      sourceAddress: scope.sourceAddress,
      destinationAddress: scope.addressOf(destination),
      responseAddress: options.responseAddress,
      faultAddress: options.faultAddress,
      messageType: [type.urn, ...(type.alsoUrns ?? [])],
      message: valid,
      sentTime: new Date(sentAt).toISOString(),
      expirationTime:
        options.timeToLiveMs !== undefined
          ? new Date(sentAt + options.timeToLiveMs).toISOString()
          : undefined,
      headers,
      host: scope.host,
    };
    return {
      kind: exchangeTarget ? 'publish' : 'send',
      destination,
      conversationId,
      message: {
        messageId,
        correlationId: envelope.correlationId,
        contentType: scope.codec.contentType,
        body: scope.codec.encode(envelope),
        headers: {},
      },
    };
  } catch (error) {
    endSpan(span, error);
    throw error;
  } finally {
    if (span.isRecording()) endSpan(span);
  }
}
