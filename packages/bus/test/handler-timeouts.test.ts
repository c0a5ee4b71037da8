import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BusStoppedError,
  ConfigurationError,
  consumer,
  createBus,
  faultOf,
  HandlerTimeoutError,
  MemoryBroker,
  MemoryDatabase,
  MemoryOutbox,
  type MemoryTransaction,
  MemoryTransport,
  receiveEndpoint,
  startTestHarness,
  transactional,
  transactionOf,
  transportHeaders,
} from '@switchyard/bus';
import pino from 'pino';
import { waitUntil } from './contract/transport-contract.ts';
import { OrderAccepted, OrderPlaced, order } from './support/messages.ts';
import { outboxDispatching } from './support/outbox-dispatching.ts';

/**
 * The timeout of tests in which some attempt must finish in time: long enough for that on a machine
 * busy with other test files, short enough to keep the attempts that run into it quick.
 */
const roomyTimeoutMs = 300;

/** Settles when `signal` aborts, rejecting with its reason: a handler that stops when told to. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** A pino logger whose lines land in `lines`, parsed. */
function recordingLogger(lines: Record<string, unknown>[]) {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return pino({ level: 'warn' }, sink);
}

/** Active timers keeping the process alive: a timer left behind by an attempt would be one of them. */
function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

describe('handler timeouts', () => {
  it('aborts an attempt past its timeout, waits for it to stop, then retries until one finishes in time', async () => {
    const reasons: unknown[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const harness = await startTestHarness({
      endpoints: [
        receiveEndpoint('orders', {
          timeoutMs: roomyTimeoutMs,
          retry: { immediate: { limit: 3, intervalsMs: [1] } },
          consumers: [
            consumer(
              OrderPlaced,
              async (message, context) => {
                running += 1;
                mostAtOnce = Math.max(mostAtOnce, running);
                try {
                  if (context.attempt < 3) {
                    await untilAborted(context.signal).catch(async (reason: unknown) => {
                      reasons.push(reason);
                      // Stopping takes a while (a rollback, say): no retry may start meanwhile.
                      await sleep(60);
                      throw reason;
                    });
                  }
                  await context.publish(OrderAccepted, { orderId: `${message.orderId}/${context.attempt}` });
                } finally {
                  running -= 1;
                }
              },
              { name: 'accept-order' },
            ),
          ],
        }),
      ],
    });
    try {
      await harness.bus.publish(OrderPlaced, order('o-1'));
      const consumed = await harness.consumed.waitFor(OrderPlaced);
      assert.equal(consumed.attempt, 3);
      assert.equal(reasons.length, 2);
      for (const reason of reasons) {
        assert.ok(reason instanceof HandlerTimeoutError);
        assert.equal(reason.endpoint, 'orders');
        assert.equal(reason.consumer, 'accept-order');
        assert.equal(reason.timeoutMs, roomyTimeoutMs);
      }
      assert.equal(mostAtOnce, 1, 'a retry never ran beside the attempt it replaced');
      await harness.published.waitFor(OrderAccepted);
      assert.deepEqual(
        harness.published.ofType(OrderAccepted).map((record) => record.message.orderId),
        ['o-1/3'],
        'only the attempt that finished in time published',
      );
      assert.equal(harness.queue('orders_error').length, 0);
    } finally {
      await harness.stop();
    }
  });

  it('moves a message whose every attempt times out to the error queue, with a fault that says so', async () => {
    let calls = 0;
    const harness = await startTestHarness({
      handlerTimeoutMs: 30,
      endpoints: [
        receiveEndpoint('orders', {
          retry: { immediate: { limit: 1, intervalsMs: [1] } },
          consumers: [
            consumer(
              OrderPlaced,
              async (_message, context) => {
                calls += 1;
                await untilAborted(context.signal);
              },
              { name: 'reserve-stock' },
            ),
          ],
        }),
      ],
    });
    try {
      await harness.bus.publish(OrderPlaced, order('o-2'));
      const fault = await harness.published.waitFor(faultOf(OrderPlaced));
      assert.equal(calls, 2);
      const [errored] = harness.queue('orders_error');
      assert.ok(errored, 'the message is in the error queue');
      const reason = 'Consumer "reserve-stock" on endpoint "orders" timed out: still running after 30ms';
      assert.equal(errored.headers[transportHeaders.faultExceptionType], 'HandlerTimeoutError');
      assert.ok(String(errored.headers[transportHeaders.faultMessage]).startsWith(reason));
      assert.equal(errored.headers[transportHeaders.faultConsumerType], 'reserve-stock');
      assert.equal(fault.message.exceptions[0]?.exceptionType, 'HandlerTimeoutError');
      assert.ok(fault.message.exceptions[0]?.message.startsWith(reason));
    } finally {
      await harness.stop();
    }
  });

  it('keeps the work of a handler that ignores its signal and finishes late: consumed once, with a warning', async () => {
    let calls = 0;
    let abortedWhenDone = false;
    const lines: Record<string, unknown>[] = [];
    const harness = await startTestHarness({
      logger: recordingLogger(lines),
      endpoints: [
        receiveEndpoint('orders', {
          timeoutMs: 30,
          retry: { immediate: { limit: 2, intervalsMs: [1] } },
          consumers: [
            consumer(
              OrderPlaced,
              async (message, context) => {
                calls += 1;
                await sleep(120);
                abortedWhenDone = context.signal.aborted;
                await context.publish(OrderAccepted, { orderId: message.orderId });
              },
              { name: 'slow-accept' },
            ),
          ],
        }),
      ],
    });
    try {
      await harness.bus.publish(OrderPlaced, order('o-3'));
      const consumed = await harness.consumed.waitFor(OrderPlaced);
      await sleep(100); // room for a retry that must not come
      assert.equal(consumed.attempt, 1);
      assert.equal(calls, 1, 'not retried');
      assert.equal(abortedWhenDone, true, 'its signal had aborted');
      assert.equal(harness.published.ofType(OrderAccepted).length, 1);
      assert.equal(harness.queue('orders_error').length, 0);
      const warning = lines.find((line) => /overran its 30ms timeout/.test(String(line.msg)));
      assert.ok(warning, 'a warning says it overran');
      assert.equal(warning.consumer, 'slow-accept');
      assert.ok(Number(warning.elapsedMs) >= 100);
    } finally {
      await harness.stop();
    }
  });

  it('clears the timer of every attempt that finishes in time', async () => {
    const harness = await startTestHarness({
      handlerTimeoutMs: 600_000,
      endpoints: [receiveEndpoint('orders', { consumers: [consumer(OrderPlaced, () => {})] })],
    });
    try {
      await harness.bus.publish(OrderPlaced, order('warm-up'));
      await harness.consumed.waitFor(OrderPlaced);
      const before = activeTimers();
      for (let index = 0; index < 20; index += 1) await harness.bus.publish(OrderPlaced, order(`o-${index}`));
      await waitUntil(() => harness.consumed.ofType(OrderPlaced).length === 21);
      await waitUntil(() => harness.bus.health().endpoints[0]?.busy === 0);
      assert.ok(activeTimers() <= before, `${activeTimers() - before} timers were left running`);
    } finally {
      await harness.stop();
    }
  });

  it('lets many attempts wait on the bus stop at once, without a listener-leak warning, and stops them all', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const reasons: unknown[] = [];
    let running = 0;
    const harness = await startTestHarness({
      handlerTimeoutMs: 600_000,
      endpoints: [
        receiveEndpoint('orders', {
          concurrency: 30,
          prefetch: 30,
          consumers: [
            consumer(OrderPlaced, async (_message, context) => {
              running += 1;
              await untilAborted(context.signal).catch((reason: unknown) => {
                reasons.push(reason);
                throw reason;
              });
            }),
          ],
        }),
      ],
    });
    try {
      for (let index = 0; index < 30; index += 1) await harness.bus.publish(OrderPlaced, order(`o-${index}`));
      await waitUntil(() => running === 30);
      await harness.bus.stop({ deadlineMs: 5_000 });
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
      assert.equal(reasons.length, 30, 'every attempt saw the stop');
      assert.ok(reasons.every((reason) => !(reason instanceof HandlerTimeoutError)));
      assert.deepEqual(
        warnings.map((warning) => warning.message),
        [],
      );
    } finally {
      process.off('warning', onWarning);
      await harness.stop();
    }
  });

  it("takes an endpoint's own timeoutMs over the bus's handlerTimeoutMs", async () => {
    const takeYourTime = async (_message: unknown, context: { signal: AbortSignal }) => {
      await sleep(80, undefined, { signal: context.signal });
    };
    const harness = await startTestHarness({
      handlerTimeoutMs: 20,
      endpoints: [
        receiveEndpoint('patient', {
          timeoutMs: 5_000,
          retry: { immediate: { limit: 0 } },
          consumers: [consumer(OrderPlaced, takeYourTime)],
        }),
        receiveEndpoint('hasty', {
          retry: { immediate: { limit: 0 } },
          consumers: [consumer(OrderAccepted, takeYourTime)],
        }),
      ],
    });
    try {
      await harness.bus.send('patient', OrderPlaced, order('o-4'));
      await harness.bus.send('hasty', OrderAccepted, { orderId: 'o-4' });
      await harness.consumed.waitFor(OrderPlaced);
      const faulted = await harness.faulted.waitFor(OrderAccepted);
      assert.ok(faulted.error instanceof HandlerTimeoutError);
      assert.equal(faulted.error.timeoutMs, 20);
    } finally {
      await harness.stop();
    }
  });

  it('still returns the message to its queue when the bus stop, not the timeout, aborted the handler', async () => {
    let reason: unknown;
    const harness = await startTestHarness({
      handlerTimeoutMs: 60_000,
      endpoints: [
        receiveEndpoint('orders', {
          retry: { immediate: { limit: 0 } },
          consumers: [
            consumer(OrderPlaced, async (_message, context) => {
              await untilAborted(context.signal).catch((error: unknown) => {
                reason = error;
                throw error;
              });
            }),
          ],
        }),
      ],
    });
    await harness.bus.publish(OrderPlaced, order('stuck'));
    await waitUntil(() => harness.bus.health().endpoints[0]?.busy === 1);
    await harness.bus.stop({ deadlineMs: 50 });
    assert.ok(reason instanceof BusStoppedError);
    assert.equal(harness.transport.broker.queue('orders')?.depth, 1, 'the message is back in its queue');
    assert.equal(harness.queue('orders_error').length, 0, 'and not in the error queue');
  });

  it('does not commit the transaction of an attempt that timed out, so the effect comes from the retry alone', async () => {
    const database = new MemoryDatabase();
    const outbox = new MemoryOutbox(database);
    const broker = new MemoryBroker();
    const { dispatcher, services } = outboxDispatching(broker, outbox);
    const accepted = database.table('accepted-orders', () => new Map<string, string[]>());
    const harness = await startTestHarness({
      broker,
      services,
      endpoints: [
        receiveEndpoint('orders', {
          timeoutMs: roomyTimeoutMs,
          retry: { immediate: { limit: 2, intervalsMs: [1] } },
          middleware: [transactional({ transactions: database, outbox, dispatcher })],
          consumers: [
            consumer(OrderPlaced, async (message, context) => {
              const rows = transactionOf<MemoryTransaction>(context).stage(accepted);
              rows.set(message.orderId, [...(rows.get(message.orderId) ?? []), `attempt ${context.attempt}`]);
              await context.publish(OrderAccepted, { orderId: message.orderId });
              // The first attempt ignores its signal and finishes late; its transaction must not commit.
              if (context.attempt === 1) await sleep(roomyTimeoutMs + 100);
            }),
          ],
        }),
        receiveEndpoint('billing', { consumers: [consumer(OrderAccepted, () => {})] }),
      ],
    });
    try {
      await harness.bus.publish(OrderPlaced, order('o-5'));
      const consumed = await harness.consumed.waitFor(OrderPlaced);
      await harness.consumed.waitFor(OrderAccepted);
      await sleep(100); // room for a second OrderAccepted that must not come
      assert.equal(consumed.attempt, 2);
      assert.deepEqual(accepted.get('o-5'), ['attempt 2']);
      assert.equal(harness.consumed.ofType(OrderAccepted).length, 1);
      assert.equal(await outbox.pendingCount(), 0);
    } finally {
      await harness.stop();
    }
  });

  it('rejects timeouts that are not whole milliseconds setTimeout can keep, naming the option', () => {
    for (const timeoutMs of [0, -5, 1.5, 2 ** 31]) {
      assert.throws(
        () => receiveEndpoint('orders', { timeoutMs, consumers: [] }),
        (error: unknown) =>
          error instanceof ConfigurationError &&
          error.message ===
            `Endpoint "orders" timeoutMs must be an integer number of milliseconds from 1 to 2147483647, got ${timeoutMs}`,
      );
    }
    assert.throws(
      () => createBus({ transport: new MemoryTransport(new MemoryBroker()), handlerTimeoutMs: 0 }),
      /BusOptions\.handlerTimeoutMs must be an integer number of milliseconds from 1 to 2147483647, got 0/,
    );
  });
});
