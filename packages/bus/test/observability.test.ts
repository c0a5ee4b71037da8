import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { context, metrics, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { type DataPoint, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { consumer, massTransitJsonCodec, receiveEndpoint, startTestHarness, uuidv7 } from '@switchyard/bus';
import pino from 'pino';
import { CheckStock, OrderAccepted, OrderPlaced, order, StockLevel } from './support/messages.ts';
import { RecordingTracerProvider } from './support/recording-tracer.ts';

// This file runs in its own process, so registering global OpenTelemetry pieces touches no other test.
const tracing = new RecordingTracerProvider();
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
trace.setGlobalTracerProvider(tracing);

describe('observability', () => {
  it('carries one trace from a publish through a consumer to what it publishes, and back to a consumer', async () => {
    const harness = await startTestHarness({
      endpoints: [
        receiveEndpoint('orders', {
          consumers: [
            consumer(OrderPlaced, (message, consume) =>
              consume.publish(OrderAccepted, { orderId: message.orderId }),
            ),
          ],
        }),
        receiveEndpoint('billing', { consumers: [consumer(OrderAccepted, () => {})] }),
      ],
    });
    try {
      const root = trace.getTracer('test').startSpan('POST /orders');
      await context.with(trace.setSpan(context.active(), root), () =>
        harness.bus.publish(OrderPlaced, order('o-1')),
      );
      root.end();
      const placed = await harness.published.waitFor(OrderPlaced);
      await harness.consumed.waitFor(OrderAccepted);
      await harness.stop();

      const traceId = root.spanContext().traceId;
      assert.match(
        String(placed.envelope.headers.traceparent),
        new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`),
      );
      assert.equal(placed.envelope.headers['MT-Activity-Id'], placed.envelope.headers.traceparent);
      const span = (name: string) => {
        const found = tracing.spans.find((each) => each.name === name);
        assert.ok(
          found,
          `a span named "${name}" (spans: ${tracing.spans.map((each) => each.name).join(', ')})`,
        );
        return found;
      };
      const publishPlaced = span('publish milkround.orders:OrderPlaced');
      const processOrders = span('process orders');
      const publishAccepted = span('publish milkround.orders:OrderAccepted');
      const processBilling = span('process billing');

      assert.equal(publishPlaced.kind, SpanKind.PRODUCER);
      assert.equal(processOrders.kind, SpanKind.CONSUMER);
      assert.equal(publishPlaced.parentSpanId, root.spanContext().spanId);
      assert.equal(processOrders.parentSpanId, publishPlaced.spanContext.spanId);
      assert.equal(publishAccepted.parentSpanId, processOrders.spanContext.spanId);
      assert.equal(processBilling.parentSpanId, publishAccepted.spanContext.spanId);
      for (const each of [publishPlaced, processOrders, publishAccepted, processBilling]) {
        assert.equal(each.spanContext.traceId, traceId, `${each.name} is in the request's trace`);
        assert.equal(each.ended, true, `${each.name} ended`);
      }
      assert.equal(publishPlaced.attributes['messaging.message.id'], placed.envelope.messageId);
      assert.equal(processOrders.attributes['messaging.destination.name'], 'orders');
      assert.equal(
        processOrders.attributes['messaging.message.conversation_id'],
        placed.envelope.conversationId,
      );
    } finally {
      await harness.stop();
    }
  });

  it('continues the trace of a message from MassTransit, which carries it in MT-Activity-Id', async () => {
    const harness = await startTestHarness({
      endpoints: [receiveEndpoint('dotnet-orders', { consumers: [consumer(OrderPlaced, () => {})] })],
    });
    try {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const body = Buffer.from(
        JSON.stringify({
          messageId: uuidv7(),
          messageType: [OrderPlaced.urn],
          message: order('from-dotnet'),
          headers: { 'MT-Activity-Id': `00-${traceId}-00f067aa0ba902b7-01` },
        }),
      );
      await harness.transport.send('dotnet-orders', {
        messageId: uuidv7(),
        contentType: massTransitJsonCodec.contentType,
        body,
        headers: {},
      });
      await harness.consumed.waitFor(OrderPlaced);
      await harness.stop();
      const processed = tracing.spans.find((each) => each.name === 'process dotnet-orders');
      assert.equal(processed?.spanContext.traceId, traceId);
      assert.equal(processed?.parentSpanId, '00f067aa0ba902b7');
    } finally {
      await harness.stop();
    }
  });

  it('counts sent and consumed messages by outcome, with a meter provider registered after the bus loaded', async () => {
    // Earlier tests already used the bus's instruments with no provider; they must follow this one.
    const reader = new TestMetricReader();
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    const harness = await startTestHarness({
      endpoints: [
        receiveEndpoint('orders', {
          retry: { immediate: { limit: 0 } },
          consumers: [
            consumer(OrderPlaced, (message) => {
              if (message.orderId === 'bad') throw new Error('rejected');
            }),
          ],
        }),
      ],
    });
    try {
      for (const id of ['a', 'b', 'bad']) await harness.bus.publish(OrderPlaced, order(id));
      await harness.consumed.waitForCount(OrderPlaced, 2);
      await harness.faulted.waitFor(OrderPlaced);
      await harness.stop();

      const { resourceMetrics } = await reader.collect();
      const all = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
      const points = (name: string) =>
        (all.find((metric) => metric.descriptor.name === name)?.dataPoints ?? []) as DataPoint<unknown>[];
      const consumedBy = (outcome: string) =>
        points('switchyard.messages.consumed')
          .filter(
            (point) =>
              point.attributes.outcome === outcome &&
              point.attributes['messaging.destination.name'] === 'orders',
          )
          .reduce((sum, point) => sum + Number(point.value), 0);
      assert.equal(consumedBy('consumed'), 2);
      assert.equal(consumedBy('faulted'), 1);
      const published = points('switchyard.messages.sent').find(
        (point) => point.attributes['messaging.destination.name'] === 'milkround.orders:OrderPlaced',
      );
      assert.equal(published?.value, 3);
      assert.ok(points('switchyard.message.consume.duration').length > 0, 'durations are recorded');
    } finally {
      await harness.stop();
    }
  });

  it('records durations in seconds, and names no temporary response queue (host and pid) in any label', async () => {
    const reader = new TestMetricReader();
    // The API keeps the first provider registered; an earlier test registered its own.
    metrics.disable();
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    const harness = await startTestHarness({
      endpoints: [
        receiveEndpoint('stock', {
          consumers: [
            consumer(CheckStock, (message, consume) =>
              consume.respond(StockLevel, { sku: message.sku, available: 4 }),
            ),
          ],
        }),
      ],
    });
    try {
      await harness.bus.request(
        CheckStock,
        { sku: 'eggs-6' },
        { responseType: StockLevel, destination: 'queue:stock', timeoutMs: 5_000 },
      );
      await harness.stop();
      const { resourceMetrics } = await reader.collect();
      const all = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
      const duration = all.find((metric) => metric.descriptor.name === 'switchyard.message.consume.duration');
      assert.equal(duration?.descriptor.unit, 's');
      const points = (duration?.dataPoints ?? []) as DataPoint<{ sum?: number; count?: number }>[];
      assert.ok(points.length > 0, 'the consume duration is recorded');
      for (const point of points)
        assert.ok((point.value.sum ?? 0) < 5, `a duration of ${point.value.sum} is in seconds, not ms`);
      const sent = all.find((metric) => metric.descriptor.name === 'switchyard.messages.sent');
      const sentPoints = (sent?.dataPoints ?? []) as DataPoint<number>[];
      assert.ok(
        sentPoints.some((point) => point.attributes['messaging.destination.temporary'] === true),
        `the response is counted, as sent to a temporary destination: ${JSON.stringify(sentPoints.map((point) => point.attributes))}`,
      );
      const labelValues = all.flatMap((metric) =>
        (metric.dataPoints as DataPoint<unknown>[]).flatMap((point) => Object.values(point.attributes)),
      );
      for (const value of labelValues) {
        assert.ok(
          !String(value).includes(`_${process.pid}_`) && !/_bus_[0-9a-z]{8,}/i.test(String(value)),
          `label value ${String(value)} names a process's temporary queue`,
        );
      }
    } finally {
      await harness.stop();
    }
  });

  it('writes log lines carrying the message, correlation and conversation ids', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    let failed = false;
    const harness = await startTestHarness({
      logger: pino({ level: 'info' }, sink),
      endpoints: [
        receiveEndpoint('orders', {
          retry: { immediate: { limit: 1 } },
          consumers: [
            consumer(
              OrderPlaced,
              (message, consume) => {
                consume.logger.info({ orderId: message.orderId }, 'pricing order');
                if (!failed) {
                  failed = true;
                  throw new Error('price list not loaded');
                }
              },
              { name: 'price-order' },
            ),
          ],
        }),
      ],
    });
    try {
      await harness.bus.publish(OrderPlaced, order('o-5'), {
        correlationId: 'c0ffee00-0000-7000-8000-000000000005',
      });
      const placed = await harness.published.waitFor(OrderPlaced);
      await harness.consumed.waitFor(OrderPlaced);
      await harness.stop();

      const ids = {
        endpoint: 'orders',
        consumer: 'price-order',
        messageId: placed.envelope.messageId,
        correlationId: 'c0ffee00-0000-7000-8000-000000000005',
        conversationId: placed.envelope.conversationId,
      };
      const pricing = lines.filter((line) => line.msg === 'pricing order');
      assert.equal(pricing.length, 2, 'one line per attempt');
      for (const line of pricing) assert.deepEqual(pick(line, Object.keys(ids)), ids);
      const failure = lines.find((line) => String(line.msg).includes('failed on attempt 1'));
      assert.ok(failure, 'the failed attempt is logged');
      assert.deepEqual(pick(failure, Object.keys(ids)), ids);
      assert.equal(failure.level, 40);
      assert.equal((failure.err as { message: string }).message, 'price list not loaded');
    } finally {
      await harness.stop();
    }
  });
});

/** Collects on demand, for tests. */
class TestMetricReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

function pick(line: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, line[key]]));
}
