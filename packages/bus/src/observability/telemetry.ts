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

/** Headers carrying the current trace context into an outgoing envelope (W3C traceparent/tracestate). */
export function startProducerSpan(
  operation: 'publish' | 'send',
  destination: string,
  attributes: { messageId: string; conversationId?: string | undefined; messageType: string },
): { span: Span; traceHeaders: Record<string, string> } {
  const span = tracer.startSpan(`${operation} ${destination}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      'messaging.system': 'switchyard',
      'messaging.operation.type': operation === 'publish' ? 'publish' : 'send',
      'messaging.operation.name': operation,
      'messaging.destination.name': destination,
      'messaging.message.id': attributes.messageId,
      'messaging.message.conversation_id': attributes.conversationId ?? attributes.messageId,
      'switchyard.message.type': attributes.messageType,
    },
  });
  const traceHeaders: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), traceHeaders);
  // MassTransit reads and writes the W3C traceparent value under its own header name.
  if (traceHeaders.traceparent) traceHeaders[massTransitActivityHeader] = traceHeaders.traceparent;
  instruments().sent.add(1, {
    'messaging.operation.name': operation,
    'messaging.destination.name': destination,
  });
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
  attributes: Attributes,
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
      attributes: {
        'messaging.system': 'switchyard',
        'messaging.operation.type': 'process',
        'messaging.destination.name': endpoint,
        ...attributes,
      },
    },
    parent,
  );
  return { span, spanContext: trace.setSpan(parent, span) };
}

/** Runs `work` with `spanContext` active, so spans and messages it starts are its children. */
export function withSpanContext<T>(spanContext: Context, work: () => Promise<T>): Promise<T> {
  return context.with(spanContext, work);
}

/** One attribute set per endpoint and outcome, made once: every delivery records two measurements. */
const consumedAttributes = new Map<string, Attributes>();

/** Counts a settled delivery and records how long it took. */
export function recordConsumed(endpoint: string, outcome: ConsumeOutcome, durationMs: number): void {
  const key = `${outcome} ${endpoint}`;
  let attributes = consumedAttributes.get(key);
  if (!attributes) {
    attributes = { 'messaging.destination.name': endpoint, outcome };
    consumedAttributes.set(key, attributes);
  }
  const { consumed, consumeDuration } = instruments();
  consumed.add(1, attributes);
  consumeDuration.record(durationMs, attributes);
}
