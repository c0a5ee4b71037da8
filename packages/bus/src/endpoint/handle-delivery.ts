import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { ProducerScope } from '../bus/message-factory.ts';
import { buildOutgoing } from '../bus/message-factory.ts';
import { codecFor } from '../codec/codec.ts';
import type { MessageType } from '../contracts/message-type.ts';
import { validateMessage } from '../contracts/validation.ts';
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
} from '../recoverability/transport-headers.ts';
import { errorQueueName, skippedQueueName } from '../topology/topology.ts';
import type { Delivery, HeaderValue } from '../transport/transport.ts';
import type { ConsumeContext } from './consume-context.ts';
import { BufferedSink, createConsumeContext } from './create-consume-context.ts';
import type { EndpointRuntime } from './endpoint-runtime.ts';
import { type ConsumerDefinition, consumersFor } from './receive-endpoint.ts';

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

async function receive(runtime: EndpointRuntime, delivery: Delivery): Promise<ConsumeOutcome> {
  const queue = runtime.endpoint.name;
  const incoming = delivery.message;
  // Read, or made, only when the message fails: most never do.
  const receivedAt = Date.now();
  const firstAttemptAt = () =>
    stringHeader(incoming.headers, transportHeaders.firstAttemptAt) ?? new Date(receivedAt).toISOString();

  let envelope: Envelope;
  try {
    envelope = codecFor(runtime.codecs, incoming.contentType).decode(incoming.body);
  } catch (error) {
    await moveToError(runtime, delivery, undefined, error, { attempts: 1, firstAttemptAt: firstAttemptAt() });
    return 'faulted';
  }
  const logger = lazy(() =>
    runtime.logger.child({
      endpoint: queue,
      messageId: envelope.messageId,
      correlationId: envelope.correlationId,
      conversationId: envelope.conversationId,
    }),
  );

  if (envelope.expirationTime && Date.parse(envelope.expirationTime) < Date.now()) {
    return moveToSkipped(runtime, delivery, envelope, 'expired', logger());
  }
  const match = consumersFor(runtime.endpoint, envelope.messageType);
  if (!match) return moveToSkipped(runtime, delivery, envelope, 'dead-letter', logger());

  let valid: Envelope;
  try {
    // The decoded envelope belongs to this delivery alone, so it takes the schema's output in place.
    const message = await validateMessage(match.type, envelope.message);
    (envelope as { message: unknown }).message = message;
    valid = envelope;
  } catch (error) {
    logger().warn({ err: error }, 'Message failed validation; moving it to the error queue without retrying');
    await moveToError(runtime, delivery, { envelope, type: match.type }, error, {
      attempts: 1,
      firstAttemptAt: firstAttemptAt(),
    });
    return 'faulted';
  }

  const { span, spanContext } = startConsumerSpan(queue, envelope.headers, {
    messageId: envelope.messageId,
    conversationId: envelope.conversationId,
    messageType: match.type.name,
  });
  try {
    return await withSpanContext(spanContext, () =>
      runConsumers(runtime, delivery, valid, match.type, match.consumers, firstAttemptAt, logger),
    );
  } finally {
    endSpan(span);
  }
}

async function runConsumers(
  runtime: EndpointRuntime,
  delivery: Delivery,
  envelope: Envelope,
  type: MessageType,
  consumers: readonly ConsumerDefinition[],
  firstAttemptAt: () => string,
  logger: () => Logger,
): Promise<ConsumeOutcome> {
  const { endpoint } = runtime;
  const headers = delivery.message.headers;
  const redeliveryCount = numberHeader(headers, transportHeaders.redeliveryCount);
  const completedHeader = stringHeader(headers, transportHeaders.completedConsumers);
  const completed = new Set(completedHeader ? completedHeader.split(',').filter(Boolean) : undefined);
  const scope = producerScope(runtime, envelope);
  const immediateLimit = endpoint.retry.immediate?.limit ?? 0;

  let attempt = 0;
  let retryable = false;
  let failure: { error: unknown; consumer: ConsumerDefinition } | undefined;
  for (;;) {
    attempt += 1;
    failure = undefined;
    for (const each of consumers) {
      if (completed.has(each.name)) continue;
      const sink = new BufferedSink();
      const context = createConsumeContext({
        scope,
        envelope,
        messageType: type,
        endpoint: endpoint.name,
        consumer: each.name,
        attempt,
        redeliveryCount,
        signal: runtime.signal,
        logger: lazy(() => logger().child({ consumer: each.name })),
        outgoing: sink,
      });
      try {
        await (runtime.pipelines.get(each) as (context: ConsumeContext) => Promise<void>)(
          context as ConsumeContext,
        );
        if (sink.messages.length > 0) await runtime.dispatch(sink.messages);
        completed.add(each.name);
        for (const observer of runtime.observers) observer.consumed?.(context);
      } catch (error) {
        failure = { error, consumer: each };
        break;
      }
    }
    if (!failure) return 'consumed';
    // A handler that failed because the bus is stopping has not failed the message: put it back.
    if (runtime.signal.aborted) return 'requeued';
    retryable = isRetryable(endpoint.retry, failure.error);
    logger().warn(
      { err: failure.error, consumer: failure.consumer.name, attempt, retryable },
      `Consumer "${failure.consumer.name}" failed on attempt ${attempt}`,
    );
    if (!retryable || attempt > immediateLimit) break;
    try {
      await sleep(immediateRetryDelayMs(endpoint.retry, attempt), undefined, { signal: runtime.signal });
    } catch {
      return 'requeued'; // the bus is stopping: another instance (or this one, later) takes it
    }
  }

  const nextRedelivery = redeliveryCount + 1;
  const delayMs = retryable ? redeliveryDelayMs(endpoint.retry, nextRedelivery) : undefined;
  if (delayMs !== undefined) {
    await runtime.transport.send(
      endpoint.name,
      {
        ...delivery.message,
        headers: {
          ...headers,
          [transportHeaders.redeliveryCount]: nextRedelivery,
          [transportHeaders.firstAttemptAt]: firstAttemptAt(),
          [transportHeaders.completedConsumers]: [...completed].join(','),
        },
      },
      { delayMs },
    );
    logger().info({ redelivery: nextRedelivery, delayMs }, 'Message scheduled for redelivery');
    return 'redelivered';
  }
  await moveToError(runtime, delivery, { envelope, type }, failure.error, {
    attempts: attempt,
    firstAttemptAt: firstAttemptAt(),
    consumer: failure.consumer.name,
  });
  return 'faulted';
}

/** Copies the message, unchanged, to `<queue>_error` with fault headers, then sends or publishes its Fault. */
async function moveToError(
  runtime: EndpointRuntime,
  delivery: Delivery,
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
    redeliveryCount: numberHeader(delivery.message.headers, transportHeaders.redeliveryCount),
    firstAttemptAt: attempt.firstAttemptAt,
    failedAt: new Date().toISOString(),
    inputAddress: runtime.transport.addressOf(queue),
  };
  await runtime.transport.send(errorQueueName(queue), {
    ...delivery.message,
    headers: faultHeaders(delivery.message.headers, queue, details, runtime.host),
  });
  runtime.logger.error(
    { err: error, endpoint: queue, messageId: delivery.message.messageId, consumer: attempt.consumer },
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
  delivery: Delivery,
  envelope: Envelope,
  reason: 'dead-letter' | 'expired',
  logger: Logger,
): Promise<ConsumeOutcome> {
  const queue = runtime.endpoint.name;
  await runtime.transport.send(skippedQueueName(queue), {
    ...delivery.message,
    headers: skipHeaders(delivery.message.headers, queue, reason, runtime.host),
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

/** A value computed on first use and kept. */
function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
}
