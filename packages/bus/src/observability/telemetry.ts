import {
  type Attributes,
  type Context,
  type Counter,
  context,
  type Histogram,
  INVALID_SPAN_CONTEXT,
  metrics,
  ProxyTracerProvider,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { OutboundMiddleware } from '../middleware.ts';
import { isResponseQueueName } from '../topology/response-queue-name.ts';
import type { Headers } from '../transport/transport.ts';

const tracer = trace.getTracer('@switchyard/bus');
const massTransitActivityHeader = 'MT-Activity-Id';

/** What the API's global provider hands out while no tracing SDK is registered. */
const noopTracerProvider = new ProxyTracerProvider().getDelegate();
/** The span of a message nobody traces: shared, since ending or recording on it does nothing. */
const untracedSpan = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
const noTraceHeaders: Record<string, string> = Object.freeze({}) as Record<string, string>;
// The answers without tracing, made once: every message would otherwise allocate its own.
const untracedProducer = Object.freeze({ span: untracedSpan, traceHeaders: noTraceHeaders });
const untracedConsumer = Object.freeze({ span: untracedSpan, spanContext: undefined });

/**
 * Whether a span or a trace context made now would go anywhere: a tracer provider or a propagator is
 * registered. Asked per message, because an SDK may be registered after the bus started. Without
 * either, the API's calls do nothing but still allocate (about 1.8 KB per message sent and consumed).
 */
function tracingOff(): boolean {
  const provider = trace.getTracerProvider();
  return (
    provider instanceof ProxyTracerProvider &&
    provider.getDelegate() === noopTracerProvider &&
    propagation.fields().length === 0
  );
}

/**
 * The bus's instruments, made from the meter provider registered now. Unlike tracers, meters from the
 * API do not follow a provider registered later, so they are remade when the global provider changes
 * (the host may register its SDK after this module loads).
 */
function instruments() {
  const provider = metrics.getMeterProvider();
  if (cached?.provider !== provider) {
    const meter = provider.getMeter('@switchyard/bus');
    cached = {
      provider,
      sent: meter.createCounter('switchyard.messages.sent', {
        description: 'Messages published or sent, by operation and destination',
        unit: '{message}',
      }),
      consumed: meter.createCounter('switchyard.messages.consumed', {
        description: 'Messages handled by a receive endpoint, by outcome',
        unit: '{message}',
      }),
      // Seconds, as OpenTelemetry's semantic conventions (and Prometheus) measure every duration.
      consumeDuration: meter.createHistogram('switchyard.message.consume.duration', {
        description: 'Time from delivery to settlement of a message',
        unit: 's',
        advice: { explicitBucketBoundaries: durationBucketsSeconds },
      }),
      inbox: meter.createCounter('switchyard.inbox.messages', {
        description:
          'Messages the inbox stopped or could not vouch for, by endpoint, consumer and verdict (duplicate, reused-id, beyond-window)',
        unit: '{message}',
      }),
    };
  }
  return cached;
}

/** The semantic conventions' advice for messaging durations, in seconds. */
const durationBucketsSeconds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/**
 * A destination's metric labels: its name, or for a temporary response queue only that it is one (the
 * semantic conventions' `messaging.destination.temporary`), which keeps every label value of low cardinality.
 */
function destinationLabels(destination: string): Attributes {
  return isResponseQueueName(destination)
    ? { 'messaging.destination.temporary': true }
    : { 'messaging.destination.name': destination };
}

let cached:
  | {
      provider: ReturnType<typeof metrics.getMeterProvider>;
      sent: Counter;
      consumed: Counter;
      consumeDuration: Histogram;
      inbox: Counter;
    }
  | undefined;

/** How a delivery ended, for metrics and logs. */
export type ConsumeOutcome = 'consumed' | 'duplicate' | 'redelivered' | 'faulted' | 'skipped' | 'requeued';

/** What identifies one message on a span; set only on spans that record. */
export interface MessageSpanFacts {
  readonly messageId: string;
  readonly conversationId?: string | undefined;
  readonly messageType: string;
}

/**
 * Span and metric attributes that are the same for every message of one kind to one destination,
 * made once and given at span creation so samplers see them; the per-message ids are added only to
 * recording spans. Looked up by their parts rather than by a key joined from them, which would make
 * and hash a new string for every message.
 */
class AttributeSets {
  readonly #sets = new Map<string, Map<string, Attributes>>();
  #size = 0;

  /** `make` is given the parts, so callers pass a function made once rather than a closure per message. */
  get(first: string, second: string, make: (first: string, second: string) => Attributes): Attributes {
    let inner = this.#sets.get(first);
    let attributes = inner?.get(second);
    if (attributes) return attributes;
    // Response queues of requesters come and go; a bound keeps a long-lived process from collecting them.
    if (this.#size >= maxCachedAttributeSets) {
      this.#sets.clear();
      this.#size = 0;
      inner = undefined;
    }
    if (!inner) {
      inner = new Map();
      this.#sets.set(first, inner);
    }
    attributes = Object.freeze(make(first, second)); // shared by every span and measurement that uses it
    inner.set(second, attributes);
    this.#size += 1;
    return attributes;
  }
}

const maxCachedAttributeSets = 1_000;
const producerSpanAttributes = { publish: new AttributeSets(), send: new AttributeSets() };
const sentAttributes = new AttributeSets();
const consumerSpanAttributes = new AttributeSets();
const consumedAttributes = new AttributeSets();

/** A producer span's attributes for one operation, destination and message type. */
function producerSpanAttributesFor(operation: 'publish' | 'send') {
  return (destination: string, messageType: string): Attributes => ({
    'messaging.system': 'switchyard',
    'messaging.operation.type': operation,
    'messaging.operation.name': operation,
    'messaging.destination.name': destination,
    'switchyard.message.type': messageType,
  });
}
const publishSpanAttributes = producerSpanAttributesFor('publish');
const sendSpanAttributes = producerSpanAttributesFor('send');

// Declared once here, not written inline where they are used: a function expression in a hot path is
// a new object each time it is reached, even when the attributes it makes are already cached.
function sentAttributesOf(operation: string, destination: string): Attributes {
  return { 'messaging.operation.name': operation, ...destinationLabels(destination) };
}

function consumerSpanAttributesOf(endpoint: string, messageType: string): Attributes {
  return {
    'messaging.system': 'switchyard',
    'messaging.operation.type': 'process',
    'messaging.destination.name': endpoint,
    'switchyard.message.type': messageType,
  };
}

function consumedAttributesOf(outcome: string, endpoint: string): Attributes {
  return { ...destinationLabels(endpoint), outcome };
}

function setMessageAttributes(span: Span, facts: MessageSpanFacts): void {
  if (!span.isRecording()) return;
  span.setAttributes({
    'messaging.message.id': facts.messageId,
    'messaging.message.conversation_id': facts.conversationId ?? facts.messageId,
  });
}

/**
 * Outbound middleware that stamps the current trace context on every message produced (W3C
 * `traceparent`/`tracestate`, and MassTransit's activity header) under a producer span that ends once
 * the message is handed on, and counts it as sent. Without a tracer provider or propagator it only counts.
 */
export const traceContext: OutboundMiddleware = (input, next) => {
  const { span, traceHeaders } = startProducerSpan(input.kind, input.destination, {
    messageId: input.envelope.messageId,
    conversationId: input.envelope.conversationId,
    messageType: input.messageType.name,
  });
  // Untraced, the message waits for nothing here: no span to end, so no promise of our own.
  if (span === untracedSpan) return next();
  Object.assign(input.headers, traceHeaders);
  let handedOn: Promise<void>;
  try {
    handedOn = next();
  } catch (error) {
    endSpan(span, error);
    throw error;
  }
  return handedOn.then(
    () => endSpan(span),
    (error: unknown) => {
      endSpan(span, error);
      throw error;
    },
  );
};

/** Starts a producer span and the headers carrying its trace context into an outgoing envelope. */
function startProducerSpan(
  operation: 'publish' | 'send',
  destination: string,
  facts: MessageSpanFacts,
): { span: Span; traceHeaders: Record<string, string> } {
  if (tracingOff()) {
    countSent(operation, destination);
    return untracedProducer;
  }
  const span = tracer.startSpan(`${operation} ${destination}`, {
    kind: SpanKind.PRODUCER,
    attributes: producerSpanAttributes[operation].get(
      destination,
      facts.messageType,
      operation === 'publish' ? publishSpanAttributes : sendSpanAttributes,
    ),
  });
  setMessageAttributes(span, facts);
  const traceHeaders: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), traceHeaders);
  // MassTransit reads and writes the W3C traceparent value under its own header name.
  if (traceHeaders.traceparent) traceHeaders[massTransitActivityHeader] = traceHeaders.traceparent;
  countSent(operation, destination);
  return { span, traceHeaders };
}

function countSent(operation: 'publish' | 'send', destination: string): void {
  instruments().sent.add(1, sentAttributes.get(operation, destination, sentAttributesOf));
}

/** Ends a span, recording the error if there was one. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
  }
  span.end();
}

/**
 * Starts the span for handling a message, as a child of the trace context the message carried. Without
 * tracing there is no context to make current (`spanContext` is undefined).
 */
export function startConsumerSpan(
  endpoint: string,
  headers: Headers,
  facts: MessageSpanFacts,
): { span: Span; spanContext: Context | undefined } {
  if (tracingOff()) return untracedConsumer;
  const carrier: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (typeof value === 'string') carrier[name] = value;
  const fromMassTransit = carrier[massTransitActivityHeader];
  if (!carrier.traceparent && fromMassTransit) carrier.traceparent = fromMassTransit;
  const parent = propagation.extract(context.active(), carrier);
  const span = tracer.startSpan(
    `process ${endpoint}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: consumerSpanAttributes.get(endpoint, facts.messageType, consumerSpanAttributesOf),
    },
    parent,
  );
  setMessageAttributes(span, facts);
  return { span, spanContext: trace.setSpan(parent, span) };
}

/** Runs `work` with `spanContext` active, so spans and messages it starts are its children. */
export function withSpanContext<T>(spanContext: Context, work: () => Promise<T>): Promise<T> {
  return context.with(spanContext, work);
}

/** Counts a settled delivery and records how long it took (given in milliseconds, recorded in seconds). */
export function recordConsumed(endpoint: string, outcome: ConsumeOutcome, durationMs: number): void {
  const attributes = consumedAttributes.get(outcome, endpoint, consumedAttributesOf);
  const { consumed, consumeDuration } = instruments();
  consumed.add(1, attributes);
  consumeDuration.record(durationMs / 1_000, attributes);
}

/** What the inbox did with a message that was not simply new: dropped a duplicate, refused a reused id, or could not vouch for it. */
export type InboxOutcome = 'duplicate' | 'reused-id' | 'beyond-window';

/** Counts a message the inbox stopped, or let through without being able to vouch for it. */
export function recordInboxOutcome(endpoint: string, consumer: string, outcome: InboxOutcome): void {
  instruments().inbox.add(1, {
    ...destinationLabels(endpoint),
    'switchyard.consumer': consumer,
    'switchyard.inbox.verdict': outcome,
  });
}
