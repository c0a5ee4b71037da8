import { randomBytes } from 'node:crypto';
import {
  type Attributes,
  type Context,
  context,
  type Span,
  type SpanContext,
  type SpanKind,
  type SpanOptions,
  type SpanStatus,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';

/** A finished (or running) span as the tests inspect it. */
export interface RecordedSpan {
  readonly name: string;
  readonly kind: SpanKind | undefined;
  readonly spanContext: SpanContext;
  readonly parentSpanId: string | undefined;
  readonly attributes: Attributes;
  status: SpanStatus | undefined;
  ended: boolean;
}

/**
 * Just enough of a tracing SDK to see the spans the bus makes and how they link: the SDK packages on
 * the registry here do not yet accept the OpenTelemetry API version we use.
 */
export class RecordingTracerProvider implements TracerProvider {
  readonly spans: RecordedSpan[] = [];

  getTracer(): Tracer {
    const spans = this.spans;
    const startSpan = (
      name: string,
      options: SpanOptions = {},
      parentContext: Context = context.active(),
    ): Span => {
      const parent = trace.getSpanContext(parentContext);
      const recorded: RecordedSpan = {
        name,
        kind: options.kind,
        spanContext: {
          traceId: parent?.traceId ?? randomBytes(16).toString('hex'),
          spanId: randomBytes(8).toString('hex'),
          traceFlags: 1,
        },
        parentSpanId: parent?.spanId,
        attributes: { ...options.attributes },
        status: undefined,
        ended: false,
      };
      spans.push(recorded);
      const span: Span = {
        spanContext: () => recorded.spanContext,
        setAttribute: (key, value) => {
          if (value !== undefined) (recorded.attributes as Record<string, unknown>)[key] = value;
          return span;
        },
        setAttributes: (attributes) => {
          Object.assign(recorded.attributes, attributes);
          return span;
        },
        addEvent: () => span,
        addLink: () => span,
        addLinks: () => span,
        setStatus: (status) => {
          recorded.status = status;
          return span;
        },
        updateName: () => span,
        end: () => {
          recorded.ended = true;
        },
        isRecording: () => !recorded.ended,
        recordException: () => {},
      };
      return span;
    };
    const tracer: Tracer = {
      startSpan,
      startActiveSpan: ((name: string, ...rest: unknown[]) => {
        const run = rest.at(-1) as (span: Span) => unknown;
        const options = (typeof rest[0] === 'object' ? rest[0] : {}) as SpanOptions;
        const span = startSpan(name, options);
        return context.with(trace.setSpan(context.active(), span), () => run(span));
      }) as Tracer['startActiveSpan'],
    };
    return tracer;
  }
}
