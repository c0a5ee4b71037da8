import type { Codec } from '../codec/codec.ts';
import type { MessageType } from '../contracts/message-type.ts';
import { validateMessageNow } from '../contracts/validation.ts';
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

/** Where a message goes: published to its type's exchange, or sent to one destination. */
export type OutgoingTarget = { kind: 'publish' } | { kind: 'send'; destination: Destination };

/**
 * Validates a message against its type and builds the outgoing message: envelope with ids flowing
 * from the parent (conversation, initiator, correlation, slot), trace context, then encoded. The
 * message itself when its schema checks it synchronously (most do), a promise only when the schema
 * is asynchronous: the bus's publish and send, which every message of a producer passes, then wait
 * for nothing but the broker. A message that fails a synchronous schema throws.
 */
export function buildOutgoing<T>(
  scope: ProducerScope,
  target: OutgoingTarget,
  type: MessageType<T>,
  message: T,
  options: MessageOptions = {},
  validation: 'validate' | 'trusted' = 'validate',
): OutgoingMessage | Promise<OutgoingMessage> {
  // Faults carry the message that failed, which may be exactly what failed validation.
  if (validation === 'trusted') return encodeOutgoing(scope, target, type, message, options);
  const checked = validateMessageNow(type, message);
  return checked instanceof Promise
    ? checked.then((valid) => encodeOutgoing(scope, target, type, valid, options))
    : encodeOutgoing(scope, target, type, checked, options);
}

function encodeOutgoing<T>(
  scope: ProducerScope,
  target: OutgoingTarget,
  type: MessageType<T>,
  valid: T,
  options: MessageOptions,
): OutgoingMessage {
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
      messageType: urnsOf(type),
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

/** A type's URNs as envelopes list them, made once per type and shared (frozen) by its messages. */
const urnsByType = new WeakMap<MessageType, readonly string[]>();

function urnsOf(type: MessageType): readonly string[] {
  let urns = urnsByType.get(type);
  if (!urns) {
    urns = Object.freeze([type.urn, ...(type.alsoUrns ?? [])]);
    urnsByType.set(type, urns);
  }
  return urns;
}
