import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { context, propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { consumer, type OutboundMiddleware, receiveEndpoint, startTestHarness } from '@switchyard/bus';
import { OrderPlaced, order } from './support/messages.ts';
import { RecordingTracerProvider } from './support/recording-tracer.ts';

// Its own process (a file of its own), so registering global OpenTelemetry pieces touches no other test.
const tracing = new RecordingTracerProvider();
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
trace.setGlobalTracerProvider(tracing);

describe('outbound middleware with tracing on', () => {
  it('sees the trace context the bus stamped first, inside the producer span', async () => {
    const seen: unknown[] = [];
    const copyTrace: OutboundMiddleware = (input, next) => {
      seen.push(input.headers.traceparent);
      input.headers['X-Trace-Copy'] = input.headers.traceparent ?? null;
      return next();
    };
    const harness = await startTestHarness({
      outbound: [copyTrace],
      endpoints: [receiveEndpoint('orders', { consumers: [consumer(OrderPlaced, () => {})] })],
    });
    try {
      await harness.bus.publish(OrderPlaced, order('o-1'));
      const consumed = await harness.consumed.waitFor(OrderPlaced);
      assert.match(String(seen[0]), /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      assert.equal(consumed.envelope.headers['X-Trace-Copy'], consumed.envelope.headers.traceparent);
      const span = tracing.spans.find((each) => each.name === 'publish milkround.orders:OrderPlaced');
      assert.equal(span?.ended, true);
      assert.ok(
        String(seen[0]).includes(span?.spanContext.spanId ?? 'no span'),
        'the header names the producer span',
      );
    } finally {
      await harness.stop();
    }
  });

  it('ends the producer span with the error of a middleware that refuses the message', async () => {
    const refuse: OutboundMiddleware = async () => {
      throw new Error('no tenant on the message');
    };
    const harness = await startTestHarness({ outbound: [refuse] });
    try {
      await assert.rejects(harness.bus.send('orders', OrderPlaced, order('o-2')), /no tenant on the message/);
      const span = tracing.spans.find((each) => each.name === 'send orders');
      assert.equal(span?.ended, true);
      assert.equal(span?.status?.code, SpanStatusCode.ERROR);
    } finally {
      await harness.stop();
    }
  });
});
