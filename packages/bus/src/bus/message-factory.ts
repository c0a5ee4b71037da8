import type { Codec } from '../codec/codec.ts';
import type { MessageType } from '../contracts/message-type.ts';
import { validateMessageNow } from '../contracts/validation.ts';
import type { ConsumeContext, MessageOptions } from '../endpoint/consume-context.ts';
import type { Destination } from '../envelope/addresses.ts';
import type { Envelope, HostInfo } from '../envelope/envelope.ts';
import { uuidv7 } from '../envelope/uuidv7.ts';
import type { OutboundInput, OutboundPipeline } from '../middleware.ts';
import type { OutgoingMessage } from '../ports/outbox.ts';
import { routingHeadersOf } from '../slots/slot-routing.ts';
import type { HeaderValue } from '../transport/transport.ts';
import { defaultOutboundPipeline } from './default-outbound.ts';

/** What the bus knows when it builds a message: how to encode it, where it is, and what caused it. */
export interface ProducerScope {
  readonly codec: Codec;
  readonly host: HostInfo;
  readonly addressOf: (entity: string) => string;
  /** The address of the endpoint (or bus) producing the message. */
  readonly sourceAddress: string;
  /** The message being consumed, whose conversation the new message joins. */
  readonly parent?: Envelope | undefined;
  /** The bus's outbound middleware, composed once (default: the bus's own stamps alone). */
  readonly outbound?: OutboundPipeline | undefined;
}

/** Where a message goes: published to its type's exchange, or sent to one destination. */
export type OutgoingTarget = { kind: 'publish' } | { kind: 'send'; destination: Destination };

/** Where a produced message goes once the outbound middleware let it through: transport, scheduler or sink. */
export type DeliverOutgoing = (outgoing: OutgoingMessage) => Promise<void>;

/**
 * Validates a message against its type, builds its envelope with ids flowing from the parent
 * (conversation, initiator, correlation), runs the outbound middleware over it (which stamps the slot
 * and trace context, and whatever the application adds), then encodes it and hands it to `deliver`.
 * Nothing before `deliver` waits when the schema checks synchronously (most do) and the middleware
 * does not: the bus's publish and send, which every message of a producer passes, then wait for
 * nothing but the broker. A message that fails a synchronous schema, or a middleware that throws at
 * once, throws to the caller.
 */
export function produceOutgoing<T>(
  scope: ProducerScope,
  target: OutgoingTarget,
  type: MessageType<T>,
  message: T,
  options: MessageOptions | undefined,
  deliver: DeliverOutgoing,
  context?: ConsumeContext,
  validation: 'validate' | 'trusted' = 'validate',
): Promise<void> {
  // Faults carry the message that failed, which may be exactly what failed validation.
  if (validation === 'trusted')
    return stampAndDeliver(scope, target, type, message, options, deliver, context);
  const checked = validateMessageNow(type, message);
  return checked instanceof Promise
    ? checked.then((valid) => stampAndDeliver(scope, target, type, valid, options, deliver, context))
    : stampAndDeliver(scope, target, type, checked, options, deliver, context);
}

/**
 * Builds one outgoing message through the outbound middleware without sending it: for the faults the
 * receive pipeline sends on its own path. A fault is the bus's, not the application's: if a middleware
 * throws or drops it, it is built again with the bus's own stamps alone, because a fault that cannot
 * be built fails the delivery, which returns to its queue and fails again without end.
 */
export async function buildOutgoing<T>(
  scope: ProducerScope,
  target: OutgoingTarget,
  type: MessageType<T>,
  message: T,
  options: MessageOptions = {},
  validation: 'validate' | 'trusted' = 'validate',
): Promise<OutgoingMessage> {
  let built: OutgoingMessage | undefined;
  const keep = async (outgoing: OutgoingMessage) => {
    built = outgoing;
  };
  try {
    await produceOutgoing(scope, target, type, message, options, keep, undefined, validation);
  } catch {
    built = undefined;
  }
  if (built) return built;
  const busStampsOnly: ProducerScope = { ...scope, outbound: defaultOutboundPipeline };
  await produceOutgoing(busStampsOnly, target, type, message, options, keep, undefined, validation);
  // The bus's own stamps always call next(), so the message is built or the line above threw.
  return built as unknown as OutgoingMessage;
}

function stampAndDeliver<T>(
  scope: ProducerScope,
  target: OutgoingTarget,
  type: MessageType<T>,
  valid: T,
  options: MessageOptions = noOptions,
  deliver: DeliverOutgoing,
  context: ConsumeContext | undefined,
): Promise<void> {
  const input = draftOf(scope, target, type, valid, options, context);
  const pipeline = scope.outbound ?? defaultOutboundPipeline;
  return pipeline(input, () => deliver(encode(scope, input)));
}

const noOptions: MessageOptions = Object.freeze({});

/** The envelope before middleware and encoding, with what the middleware is told about it. */
function draftOf<T>(
  scope: ProducerScope,
  target: OutgoingTarget,
  type: MessageType<T>,
  valid: T,
  options: MessageOptions,
  context: ConsumeContext | undefined,
): Draft {
  const parent = scope.parent;
  const messageId = options.messageId ?? uuidv7();
  const conversationId = parent ? (parent.conversationId ?? parent.messageId) : messageId;
  const sendsToExchange = target.kind === 'publish' || target.destination.kind === 'exchange';
  const destination = target.kind === 'publish' ? type.entityName : target.destination.name;
  const headers: Record<string, HeaderValue> = options.headers ? { ...options.headers } : {};
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
      options.timeToLiveMs !== undefined ? new Date(sentAt + options.timeToLiveMs).toISOString() : undefined,
    headers,
    host: scope.host,
  };
  return {
    envelope,
    headers,
    messageType: type as MessageType,
    kind: target.kind,
    destination,
    parent,
    context,
    sendsToExchange,
  };
}

/** The input outbound middleware gets, and what encoding needs besides. */
interface Draft extends OutboundInput {
  /** A send to an exchange by address goes out as a publish there. */
  readonly sendsToExchange: boolean;
}

function encode(scope: ProducerScope, draft: Draft): OutgoingMessage {
  const { envelope } = draft;
  return {
    kind: draft.sendsToExchange ? 'publish' : 'send',
    destination: draft.destination,
    conversationId: envelope.conversationId,
    message: {
      messageId: envelope.messageId,
      correlationId: envelope.correlationId,
      contentType: scope.codec.contentType,
      body: scope.codec.encode(envelope),
      headers: routingHeadersOf(envelope),
    },
  };
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
