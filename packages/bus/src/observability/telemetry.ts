import {
  type Attributes,
  type Context,
  type Counter,
  context,
  type Histogram,
  metrics,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { Headers } from '../transport/transport.ts';

const tracer = trace.getTracer('@switchyard/bus');
const massTransitActivityHeader = 'MT-Activity-Id';

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
      }),
      consumed: meter.createCounter('switchyard.messages.consumed', {
        description: 'Messages handled by a receive endpoint, by outcome',
      }),
      consumeDuration: meter.createHistogram('switchyard.message.consume.duration', {
        description: 'Time from delivery to settlement of a message',
        unit: 'ms',
      }),
    };
  }
  return cached;
}

let cached:
  | {
      provider: ReturnType<typeof metrics.getMeterProvider>;
      sent: Counter;
      consumed: Counter;
      consumeDuration: Histogram;
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
 * Span attributes that are the same for every message of one kind to one destination, made once and
 * given at span creation so samplers see them; the per-message ids are added only to recording spans,
 * so a process without a tracing SDK allocates nothing for them.
 */
const staticAttributes = new Map<string, Attributes>();
const maxCachedAttributeSets = 1_000;

function attributesFor(key: string, make: () => Attributes): Attributes {
  let attributes = staticAttributes.get(key);
  if (!attributes) {
    attributes = Object.freeze(make()); // shared by every span and measurement that uses it
    // Response queues of requesters come and go; a bound keeps a long-lived process from collecting them.
    if (staticAttributes.size >= maxCachedAttributeSets) staticAttributes.clear();
    staticAttributes.set(key, attributes);
  }
  return attributes;
}

function setMessageAttributes(span: Span, facts: MessageSpanFacts): void {
  if (!span.isRecording()) return;
  span.setAttributes({
    'messaging.message.id': facts.messageId,
    'messaging.message.conversation_id': facts.conversationId ?? facts.messageId,
  });
}

/** Headers carrying the current trace context into an outgoing envelope (W3C traceparent/tracestate). */
export function startProducerSpan(
  operation: 'publish' | 'send',
  destination: string,
  facts: MessageSpanFacts,
): { span: Span; traceHeaders: Record<string, string> } {
  const span = tracer.startSpan(`${operation} ${destination}`, {
    kind: SpanKind.PRODUCER,
    attributes: attributesFor(`${operation} ${destination} ${facts.messageType}`, () => ({
      'messaging.system': 'switchyard',
      'messaging.operation.type': operation === 'publish' ? 'publish' : 'send',
      'messaging.operation.name': operation,
      'messaging.destination.name': destination,
      'switchyard.message.type': facts.messageType,
    })),
  });
  setMessageAttributes(span, facts);
  const traceHeaders: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), traceHeaders);
  // MassTransit reads and writes the W3C traceparent value under its own header name.
  if (traceHeaders.traceparent) traceHeaders[massTransitActivityHeader] = traceHeaders.traceparent;
  instruments().sent.add(
    1,
    attributesFor(`sent ${operation} ${destination}`, () => ({
      'messaging.operation.name': operation,
      'messaging.destination.name': destination,
    })),
  );
  return { span, traceHeaders };
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

/** Starts the span for handling a message, as a child of the trace context the message carried. */
export function startConsumerSpan(
  endpoint: string,
  headers: Headers,
  facts: MessageSpanFacts,
): { span: Span; spanContext: Context } {
  const carrier: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (typeof value === 'string') carrier[name] = value;
  const fromMassTransit = carrier[massTransitActivityHeader];
  if (!carrier.traceparent && fromMassTransit) carrier.traceparent = fromMassTransit;
  const parent = propagation.extract(context.active(), carrier);
  const span = tracer.startSpan(
    `process ${endpoint}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: attributesFor(`process ${endpoint} ${facts.messageType}`, () => ({
        'messaging.system': 'switchyard',
        'messaging.operation.type': 'process',
        'messaging.destination.name': endpoint,
        'switchyard.message.type': facts.messageType,
      })),
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

/** Counts a settled delivery and records how long it took. */
export function recordConsumed(endpoint: string, outcome: ConsumeOutcome, durationMs: number): void {
  const attributes = attributesFor(`consumed ${outcome} ${endpoint}`, () => ({
    'messaging.destination.name': endpoint,
    outcome,
  }));
  const { consumed, consumeDuration } = instruments();
  consumed.add(1, attributes);
  consumeDuration.record(durationMs, attributes);
}
