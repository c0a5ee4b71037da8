import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { metrics } from '@opentelemetry/api';
import { type DataPoint, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  consumer,
  MemoryBroker,
  MemoryDatabase,
  MemoryInbox,
  MemoryOutbox,
  type MemoryTransaction,
  massTransitJsonCodec,
  receiveEndpoint,
  startTestHarness,
  transactional,
  transactionOf,
  uuidv7,
} from '@switchyard/bus';
import pino from 'pino';
import { OrderPlaced, order } from './support/messages.ts';
import { outboxDispatching } from './support/outbox-dispatching.ts';

// This file runs in its own process, so the meter provider registered here touches no other test.
class TestMetricReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}
const reader = new TestMetricReader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

const day = 24 * 3_600_000;

/** An `orders` endpoint whose consumer counts its runs in the same database as the inbox. */
async function startOrders(endpoint: string, inboxWindowMs = 7 * day) {
  const database = new MemoryDatabase();
  const outbox = new MemoryOutbox(database);
  const inbox = new MemoryInbox(database, { windowMs: inboxWindowMs });
  const broker = new MemoryBroker();
  const { dispatcher, services } = outboxDispatching(broker, outbox);
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const runs = () => database.table('runs', () => new Map<string, number>());
  const harness = await startTestHarness({
    broker,
    services,
    logger: pino({ level: 'info' }, sink),
    endpoints: [
      receiveEndpoint(endpoint, {
        retry: { immediate: { limit: 2 }, redelivery: { intervalsMs: [10] } },
        middleware: [transactional({ transactions: database, outbox, inbox, dispatcher })],
        consumers: [
          consumer(
            OrderPlaced,
            (message, context) => {
              const staged = transactionOf<MemoryTransaction>(context).stage(runs());
              staged.set(message.orderId, (staged.get(message.orderId) ?? 0) + 1);
            },
            { name: 'accept-order' },
          ),
        ],
      }),
    ],
  });
  /** Puts a message on the queue as a sender would, with the id and sent time the test chooses. */
  const deliver = (messageId: string, quantity: number, sentTime = new Date().toISOString()) =>
    harness.transport.send(endpoint, {
      messageId,
      contentType: massTransitJsonCodec.contentType,
      body: Buffer.from(
        JSON.stringify({
          messageId,
          messageType: [OrderPlaced.urn],
          message: order('o-1', quantity),
          sentTime,
        }),
      ),
      headers: {},
    });
  return { harness, runs, lines, deliver };
}

async function inboxCount(endpoint: string, verdict: string): Promise<number> {
  const { resourceMetrics } = await reader.collect();
  const points = (resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .find((metric) => metric.descriptor.name === 'switchyard.inbox.messages')?.dataPoints ??
    []) as DataPoint<number>[];
  return points
    .filter(
      (point) =>
        point.attributes['messaging.destination.name'] === endpoint &&
        point.attributes['switchyard.inbox.verdict'] === verdict,
    )
    .reduce((sum, point) => sum + point.value, 0);
}

describe('the inbox', () => {
  it('drops a duplicate, counts it and says so in the log', async () => {
    const { harness, runs, lines, deliver } = await startOrders('orders-duplicate');
    try {
      const messageId = uuidv7();
      await deliver(messageId, 1);
      await deliver(messageId, 1);
      await harness.consumed.waitForCount(OrderPlaced, 2);
      assert.equal(runs().get('o-1'), 1, 'the consumer ran once');
      assert.equal(await inboxCount('orders-duplicate', 'duplicate'), 1);
      assert.ok(
        lines.some((line) => String(line.msg).includes('already handled') && line.messageId === messageId),
        'the duplicate is logged with its message id',
      );
    } finally {
      await harness.stop();
    }
  });

  it('sends a different message that reuses a handled id to the error queue at once, with the reason', async () => {
    const { harness, runs, deliver } = await startOrders('orders-reused');
    try {
      const messageId = uuidv7();
      await deliver(messageId, 1);
      await harness.consumed.waitFor(OrderPlaced);
      await deliver(messageId, 3);
      const faulted = await harness.faulted.waitFor(OrderPlaced);
      assert.equal(runs().get('o-1'), 1, 'the second message did not run');
      assert.match(String((faulted.error as Error).message), /reused a message id/);
      assert.equal((faulted.error as { code?: string }).code, 'INBOX_REUSED_MESSAGE_ID');
      const [inError] = harness.queue('orders-reused_error');
      assert.ok(inError, 'the message waits in the error queue, not lost');
      assert.equal(inError.headers['MT-Fault-RetryCount'], 0, 'not retried: nothing would change');
      assert.equal(inError.headers['MT-Redelivery-Count'] ?? 0, 0, 'not redelivered');
      assert.equal(await inboxCount('orders-reused', 'reused-id'), 1);
    } finally {
      await harness.stop();
    }
  });

  it('runs a message sent before its window began, and counts and logs that it could not vouch for it', async () => {
    const { harness, runs, lines, deliver } = await startOrders('orders-late', day);
    try {
      const sentTime = new Date(Date.now() - 2 * day).toISOString();
      await deliver(uuidv7(), 1, sentTime);
      await harness.consumed.waitFor(OrderPlaced);
      assert.equal(runs().get('o-1'), 1);
      assert.equal(await inboxCount('orders-late', 'beyond-window'), 1);
      const warning = lines.find((line) => String(line.msg).includes('longer ago than the inbox remembers'));
      assert.equal(warning?.sentTime, sentTime);
      assert.equal(warning?.inboxWindowMs, day);

      await deliver(uuidv7(), 1);
      await harness.consumed.waitForCount(OrderPlaced, 2);
      assert.equal(await inboxCount('orders-late', 'beyond-window'), 1, 'a fresh message is not counted');
    } finally {
      await harness.stop();
    }
  });
});
