import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { ProducerScope } from '../bus/message-factory.ts';
import { buildOutgoing } from '../bus/message-factory.ts';
import { codecFor } from '../codec/codec.ts';
import type { MessageType } from '../contracts/message-type.ts';
import { validateMessageNow } from '../contracts/validation.ts';
import { parseDestination } from '../envelope/addresses.ts';
import type { Envelope } from '../envelope/envelope.ts';
import { uuidv7 } from '../envelope/uuidv7.ts';
import {
  type ConsumeOutcome,
  endSpan,
  startConsumerSpan,
  withSpanContext,
} from '../observability/telemetry.ts';
import { exceptionInfo, type Fault, faultOf } from '../recoverability/fault.ts';
import { immediateRetryDelayMs, isRetryable, redeliveryDelayMs } from '../recoverability/retry-policy.ts';
import {
  type FaultDetails,
  faultHeaders,
  numberHeader,
  skipHeaders,
  transportHeaders,
  type UntrustedHeaders,
  untrustedHeaders,
  withoutHeaders,
} from '../recoverability/transport-headers.ts';
import { errorQueueName, skippedQueueName } from '../topology/topology.ts';
import type { Delivery, HeaderValue, TransportMessage } from '../transport/transport.ts';
import type { ConsumeContext } from './consume-context.ts';
import { BufferedSink, createConsumeContext } from './create-consume-context.ts';
import { DeliveryLimitExceededError, defaultDeliveryLimit } from './delivery-limit.ts';
import type { EndpointRuntime } from './endpoint-runtime.ts';
import { AttemptDeadline } from './handler-timeout.ts';
import { type ConsumerDefinition, type ConsumerMatch, consumersFor } from './receive-endpoint.ts';

/**
 * Takes one delivery through the receive pipeline and settles it: decode, match a consumer, validate,
 * run the consumers with immediate retries, then redeliver later or move to the error queue. Every
 * path ends with the message handled or stored somewhere (queue, error or skipped queue) before the
 * ack; if even that fails, the delivery is requeued, never dropped.
 */
export async function handleDelivery(runtime: EndpointRuntime, delivery: Delivery): Promise<ConsumeOutcome> {
  try {
    const outcome = await receive(runtime, delivery);
    if (outcome === 'requeued') await delivery.requeue();
    else await delivery.ack();
    return outcome;
  } catch (error) {
    runtime.logger.error(
      { err: error, endpoint: runtime.endpoint.name, messageId: delivery.message.messageId },
      'Could not settle a message safely; returning it to the queue',
    );
    await delivery.requeue().catch(() => {});
    return 'requeued';
  }
}

/**
 * What a delivery's failures and log lines need, worked out only when one asks: most messages are
 * handled without either. One object per delivery rather than a closure for each fact.
 */
class DeliveryFacts {
  /**
   * The message as the bus may act on it and pass it on: without redelivery state the transport did
   * not vouch for, and without stale descriptions of earlier moves.
   */
  readonly incoming: TransportMessage;
  /** Redelivery state the message carried that the bus ignored; logged once. */
  readonly ignored: readonly string[];
  readonly #runtime: EndpointRuntime;
  readonly #receivedAt = Date.now();
  #envelope: Envelope | undefined;
  #logger: Logger | undefined;

  constructor(runtime: EndpointRuntime, delivery: Delivery) {
    this.#runtime = runtime;
    const message = delivery.message;
    const untrusted: UntrustedHeaders = untrustedHeaders(message.headers, vouchedFor(runtime, delivery));
    this.ignored = untrusted.ignored;
    this.incoming =
      untrusted.dropped.length === 0
        ? message
        : { ...message, headers: withoutHeaders(message.headers, untrusted.dropped) };
  }

  /** Once decoded, the envelope's ids join the log lines. */
  decoded(envelope: Envelope): void {
    this.#envelope = envelope;
  }

  /** When the first attempt of this message began: this delivery, unless a redelivery says earlier. */
  firstAttemptAt(): string {
    return (
      stringHeader(this.incoming.headers, transportHeaders.firstAttemptAt) ??
      new Date(this.#receivedAt).toISOString()
    );
  }

  /** The endpoint's logger with the message's ids. */
  logger(): Logger {
    const envelope = this.#envelope;
    this.#logger ??= this.#runtime.logger.child({
      endpoint: this.#runtime.endpoint.name,
      messageId: envelope?.messageId ?? this.incoming.messageId,
      correlationId: envelope?.correlationId,
      conversationId: envelope?.conversationId,
    });
    return this.#logger;
  }
}

/**
 * Decodes, matches and validates, then runs the consumers. Not itself async: every message passes
 * here, and only the rare paths (a failure, an asynchronous schema) need to wait for anything.
 */
function receive(runtime: EndpointRuntime, delivery: Delivery): Promise<ConsumeOutcome> {
  const facts = new DeliveryFacts(runtime, delivery);
  const incoming = facts.incoming;
  if (facts.ignored.length > 0) {
    facts
      .logger()
      .warn(
        { ignoredHeaders: facts.ignored },
        `Message carries redelivery headers the bus did not write for "${runtime.endpoint.name}" (${facts.ignored.join(', ')}); ignoring them`,
      );
  }
  const limit = runtime.retry.deliveryLimit ?? defaultDeliveryLimit;
  if (delivery.deliveryCount !== undefined && delivery.deliveryCount > limit) {
    return faultUnsettled(runtime, facts, delivery.deliveryCount, limit);
  }
  let envelope: Envelope;
  try {
    envelope = codecFor(runtime.codecs, incoming.contentType).decode(incoming.body);
  } catch (error) {
    return faultUnreadable(runtime, error, facts);
  }
  facts.decoded(envelope);

  if (envelope.expirationTime && Date.parse(envelope.expirationTime) < Date.now()) {
    return moveToSkipped(runtime, facts, envelope, 'expired');
  }
  const match = consumersFor(runtime.endpoint, envelope.messageType);
  if (!match) return moveToSkipped(runtime, facts, envelope, 'dead-letter');

  let checked: unknown;
  try {
    checked = validateMessageNow(match.type, envelope.message);
  } catch (error) {
    return faultInvalid(runtime, envelope, match, error, facts);
  }
  if (checked instanceof Promise) {
    return checked.then(
      (message) => consumeValid(runtime, envelope, match, message, facts),
      (error) => faultInvalid(runtime, envelope, match, error, facts),
    );
  }
  return consumeValid(runtime, envelope, match, checked, facts);
}

/**
 * Whether the transport vouches that the delivery came back through this queue's own redelivery path,
 * and the state it carries was written for this queue: only then is the redelivery state the bus's own.
 */
function vouchedFor(runtime: EndpointRuntime, delivery: Delivery): boolean {
  return (
    delivery.viaOwnRedelivery === true &&
    delivery.queue === runtime.endpoint.name &&
    delivery.message.headers[transportHeaders.redeliveryQueue] === runtime.endpoint.name
  );
}

/**
 * Every earlier delivery ended unsettled, as when the consumer kills the process: the message goes to
 * the error queue before it is even decoded, since decoding or handling it may be what kills it.
 */
async function faultUnsettled(
  runtime: EndpointRuntime,
  facts: DeliveryFacts,
  deliveryCount: number,
  limit: number,
): Promise<ConsumeOutcome> {
  const unsettled = deliveryCount - 1;
  const error = new DeliveryLimitExceededError(facts.incoming.messageId, unsettled, limit);
  await moveToError(runtime, facts, undefined, error, {
    attempts: 1,
    firstAttemptAt: facts.firstAttemptAt(),
  });
  return 'faulted';
}

async function faultUnreadable(
  runtime: EndpointRuntime,
  error: unknown,
  facts: DeliveryFacts,
): Promise<ConsumeOutcome> {
  await moveToError(runtime, facts, undefined, error, {
    attempts: 1,
    firstAttemptAt: facts.firstAttemptAt(),
  });
  return 'faulted';
}

async function faultInvalid(
  runtime: EndpointRuntime,
  envelope: Envelope,
  match: ConsumerMatch,
  error: unknown,
  facts: DeliveryFacts,
): Promise<ConsumeOutcome> {
  facts
    .logger()
    .warn({ err: error }, 'Message failed validation; moving it to the error queue without retrying');
  await moveToError(runtime, facts, { envelope, type: match.type }, error, {
    attempts: 1,
    firstAttemptAt: facts.firstAttemptAt(),
  });
  return 'faulted';
}

/** Runs the consumers of a validated message, inside its trace when tracing is on. */
function consumeValid(
  runtime: EndpointRuntime,
  envelope: Envelope,
  match: ConsumerMatch,
  message: unknown,
  facts: DeliveryFacts,
): Promise<ConsumeOutcome> {
  // The decoded envelope belongs to this delivery alone, so it takes the schema's output in place.
  (envelope as { message: unknown }).message = message;
  const { span, spanContext } = startConsumerSpan(runtime.endpoint.name, envelope.headers, {
    messageId: envelope.messageId,
    conversationId: envelope.conversationId,
    messageType: match.type.name,
  });
  // Without tracing there is no context to enter, and no closure to make for entering it.
  if (!spanContext) return runConsumers(runtime, envelope, match.type, match.consumers, facts);
  return withSpanContext(spanContext, () =>
    runConsumers(runtime, envelope, match.type, match.consumers, facts),
  ).finally(() => endSpan(span));
}

async function runConsumers(
  runtime: EndpointRuntime,
  envelope: Envelope,
  type: MessageType,
  consumers: readonly ConsumerDefinition[],
  facts: DeliveryFacts,
): Promise<ConsumeOutcome> {
  const { endpoint } = runtime;
  const headers = facts.incoming.headers;
  const redeliveryCount = numberHeader(headers, transportHeaders.redeliveryCount);
  const completedHeader = stringHeader(headers, transportHeaders.completedConsumers);
  // Consumers that already succeeded on an earlier delivery or attempt, skipped when it runs again.
  // Kept only where there is something to skip: most messages have one consumer and succeed at once.
  let completed = completedHeader ? new Set(completedHeader.split(',').filter(Boolean)) : undefined;
  const remember = consumers.length > 1;
  const scope = producerScope(runtime, envelope);
  const immediateLimit = runtime.retry.immediate?.limit ?? 0;

  let attempt = 0;
  let retryable = false;
  let failure: { error: unknown; consumer: ConsumerDefinition } | undefined;
  for (;;) {
    attempt += 1;
    failure = undefined;
    for (const each of consumers) {
      if (completed?.has(each.name)) continue;
      const sink = new BufferedSink();
      const deadline = AttemptDeadline.start(
        runtime.signal,
        endpoint.name,
        each.name,
        runtime.handlerTimeoutMs,
      );
      const context = createConsumeContext({
        scope,
        envelope,
        messageType: type,
        endpoint: endpoint.name,
        consumer: each.name,
        attempt,
        redeliveryCount,
        signal: deadline.signal,
        delivery: facts,
        outgoing: sink,
      });
      try {
        const pipeline = runtime.pipelines.get(each) as (context: ConsumeContext) => Promise<void>;
        await deadline.run(pipeline, context as ConsumeContext);
        if (deadline.timedOut) {
          // It ignored its signal and succeeded anyway: what it did stands, so the message is consumed.
          facts.logger().warn(
            {
              consumer: each.name,
              attempt,
              timeoutMs: runtime.handlerTimeoutMs,
              elapsedMs: deadline.elapsedMs,
            },
            `Consumer "${each.name}" overran its ${runtime.handlerTimeoutMs}ms timeout but succeeded; the message counts as consumed`,
          );
        }
        if (sink.messages.length > 0) await runtime.dispatch(sink.messages);
        if (remember) {
          completed ??= new Set();
          completed.add(each.name);
        }
        for (const observer of runtime.observers) observer.consumed?.(context);
      } catch (error) {
        failure = { error, consumer: each };
        break;
      }
    }
    if (!failure) return 'consumed';
    // A handler that failed because the bus is stopping has not failed the message: put it back.
    if (runtime.signal.aborted) return 'requeued';
    retryable = isRetryable(runtime.retry, failure.error);
    facts
      .logger()
      .warn(
        { err: failure.error, consumer: failure.consumer.name, attempt, retryable },
        `Consumer "${failure.consumer.name}" failed on attempt ${attempt}`,
      );
    if (!retryable || attempt > immediateLimit) break;
    try {
      await sleep(immediateRetryDelayMs(runtime.retry, attempt), undefined, { signal: runtime.signal });
    } catch {
      return 'requeued'; // the bus is stopping: another instance (or this one, later) takes it
    }
  }

  const nextRedelivery = redeliveryCount + 1;
  const delayMs = retryable ? redeliveryDelayMs(runtime.retry, nextRedelivery) : undefined;
  if (delayMs !== undefined) {
    await runtime.transport.send(
      endpoint.name,
      {
        ...facts.incoming,
        headers: {
          ...headers,
          [transportHeaders.redeliveryCount]: nextRedelivery,
          [transportHeaders.firstAttemptAt]: facts.firstAttemptAt(),
          [transportHeaders.completedConsumers]: completed ? [...completed].join(',') : '',
          [transportHeaders.redeliveryQueue]: endpoint.name,
        },
      },
      { delayMs, redelivery: true },
    );
    facts.logger().info({ redelivery: nextRedelivery, delayMs }, 'Message scheduled for redelivery');
    return 'redelivered';
  }
  await moveToError(runtime, facts, { envelope, type }, failure.error, {
    attempts: attempt,
    firstAttemptAt: facts.firstAttemptAt(),
    consumer: failure.consumer.name,
  });
  return 'faulted';
}

/** Copies the message, unchanged, to `<queue>_error` with fault headers, then sends or publishes its Fault. */
async function moveToError(
  runtime: EndpointRuntime,
  facts: DeliveryFacts,
  known: { envelope: Envelope; type: MessageType } | undefined,
  error: unknown,
  attempt: { attempts: number; firstAttemptAt: string; consumer?: string },
): Promise<void> {
  const queue = runtime.endpoint.name;
  const exception = exceptionInfo(error);
  const details: FaultDetails = {
    exception,
    consumer: attempt.consumer,
    // MassTransit writes the type's full name here (Namespace.Type), which is our dotted name.
    messageType: known?.type.name,
    attempts: attempt.attempts,
    redeliveryCount: numberHeader(facts.incoming.headers, transportHeaders.redeliveryCount),
    firstAttemptAt: attempt.firstAttemptAt,
    failedAt: new Date().toISOString(),
    inputAddress: runtime.transport.addressOf(queue),
  };
  await runtime.transport.send(errorQueueName(queue), {
    ...facts.incoming,
    headers: faultHeaders(facts.incoming.headers, queue, details, runtime.host),
  });
  runtime.logger.error(
    { err: error, endpoint: queue, messageId: facts.incoming.messageId, consumer: attempt.consumer },
    `Message moved to ${errorQueueName(queue)}: ${exception.message}`,
  );
  for (const observer of runtime.observers) {
    observer.faulted?.({ endpoint: queue, envelope: known?.envelope, error, consumer: attempt.consumer });
  }
  if (known) await sendFault(runtime, known.envelope, known.type, exception, details.failedAt);
}

/** Sends the Fault to the fault address, else to the response address, else publishes it. */
async function sendFault(
  runtime: EndpointRuntime,
  envelope: Envelope,
  type: MessageType,
  exception: ReturnType<typeof exceptionInfo>,
  timestamp: string,
): Promise<void> {
  const fault: Fault = {
    faultId: uuidv7(),
    faultedMessageId: envelope.messageId,
    timestamp,
    exceptions: [exception],
    host: runtime.host,
    faultMessageTypes: envelope.messageType,
    message: envelope.message,
  };
  const address = envelope.faultAddress ?? envelope.responseAddress;
  const target = address
    ? { kind: 'send' as const, destination: parseDestination(address) }
    : { kind: 'publish' as const };
  const outgoing = await buildOutgoing(
    producerScope(runtime, envelope),
    target,
    faultOf(type),
    fault,
    { requestId: envelope.requestId },
    'trusted',
  );
  await runtime.dispatch([outgoing]);
}

async function moveToSkipped(
  runtime: EndpointRuntime,
  facts: DeliveryFacts,
  envelope: Envelope,
  reason: 'dead-letter' | 'expired',
): Promise<ConsumeOutcome> {
  const logger = facts.logger();
  const queue = runtime.endpoint.name;
  await runtime.transport.send(skippedQueueName(queue), {
    ...facts.incoming,
    headers: skipHeaders(facts.incoming.headers, queue, reason, runtime.host),
  });
  logger.warn(
    { messageType: envelope.messageType, reason },
    reason === 'expired'
      ? `Message expired at ${envelope.expirationTime}; moved to ${skippedQueueName(queue)}`
      : `No consumer on "${queue}" for ${envelope.messageType.join(', ')}; moved to ${skippedQueueName(queue)}`,
  );
  for (const observer of runtime.observers) observer.skipped?.({ endpoint: queue, envelope, reason });
  return 'skipped';
}

function producerScope(runtime: EndpointRuntime, parent: Envelope): ProducerScope {
  return { ...runtime.producer, parent };
}

function stringHeader(headers: Readonly<Record<string, HeaderValue>>, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
