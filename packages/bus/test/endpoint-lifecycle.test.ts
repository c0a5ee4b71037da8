import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConfigurationError,
  consumer,
  type Middleware,
  receiveEndpoint,
  startTestHarness,
} from '@switchyard/bus';
import { waitUntil } from './contract/transport-contract.ts';
import { OrderPlaced, order } from './support/messages.ts';

describe('receive endpoints', () => {
  it('never runs more handlers at once than the concurrency limit', async () => {
    let running = 0;
    let most = 0;
    const harness = await startTestHarness({
      endpoints: [
        receiveEndpoint('orders', {
          concurrency: 3,
          prefetch: 10,
          consumers: [
            consumer(OrderPlaced, async () => {
              running += 1;
              most = Math.max(most, running);
              await new Promise((resolve) => setTimeout(resolve, 10));
              running -= 1;
            }),
          ],
        }),
      ],
    });
    try {
      for (let index = 0; index < 20; index++) await harness.bus.publish(OrderPlaced, order(`o-${index}`));
      await harness.consumed.waitForCount(OrderPlaced, 20);
      assert.equal(most, 3);
    } finally {
      await harness.stop();
    }
  });

  it('runs bus middleware outside endpoint middleware, and lets middleware share values with consumers', async () => {
    const trail: string[] = [];
    const tag =
      (name: string): Middleware =>
      async (context, next) => {
        trail.push(`${name}>`);
        context.items.set(name, true);
        await next();
        trail.push(`<${name}`);
      };
    const harness = await startTestHarness({
      middleware: [tag('bus')],
      endpoints: [
        receiveEndpoint('orders', {
          middleware: [tag('endpoint')],
          consumers: [
            consumer(OrderPlaced, (_message, context) => {
              trail.push(`consumer sees ${[...context.items.keys()].join('+')}`);
            }),
          ],
        }),
      ],
    });
    try {
      await harness.bus.publish(OrderPlaced, order('o-1'));
      await harness.consumed.waitFor(OrderPlaced);
      assert.deepEqual(trail, ['bus>', 'endpoint>', 'consumer sees bus+endpoint', '<endpoint', '<bus']);
    } finally {
      await harness.stop();
    }
  });

  it('lets middleware stop a message: not calling next() consumes it without the consumer', async () => {
    let calls = 0;
    const onlyBlue: Middleware = async (context, next) => {
      if (context.envelope.headers['Switchyard-Slot'] === 'blue') await next();
    };
    const harness = await startTestHarness({
      endpoints: [
        receiveEndpoint('orders', {
          middleware: [onlyBlue],
          consumers: [consumer(OrderPlaced, () => void calls++)],
        }),
      ],
    });
    try {
      await harness.bus.publish(OrderPlaced, order('green'), { headers: { 'Switchyard-Slot': 'green' } });
      await harness.bus.publish(OrderPlaced, order('blue'), { headers: { 'Switchyard-Slot': 'blue' } });
      await harness.consumed.waitForCount(OrderPlaced, 2);
      assert.equal(calls, 1);
    } finally {
      await harness.stop();
    }
  });

  it('stops gracefully: stops taking messages, finishes those in flight, leaves the rest queued', async () => {
    const finished: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const harness = await startTestHarness({
      endpoints: [
        receiveEndpoint('orders', {
          concurrency: 1,
          prefetch: 1,
          consumers: [
            consumer(OrderPlaced, async (message) => {
              await gate;
              finished.push(message.orderId);
            }),
          ],
        }),
      ],
    });
    for (const id of ['first', 'second', 'third']) await harness.bus.publish(OrderPlaced, order(id));
    await waitUntil(() => harness.bus.health().endpoints[0]?.busy === 1);

    const stopping = harness.bus.stop({ deadlineMs: 5_000 });
    setTimeout(release, 50);
    await stopping;
    assert.deepEqual(finished, ['first']);
    assert.equal(harness.transport.broker.queue('orders')?.depth, 2, 'the others wait in the queue');
    assert.equal(harness.bus.health().state, 'stopped');
  });

  it('abandons a handler that outlives the stop deadline: its message goes back to the queue', async () => {
    let sawAbort = false;
    const harness = await startTestHarness({
      endpoints: [
        receiveEndpoint('orders', {
          retry: { immediate: { limit: 0 } },
          consumers: [
            consumer(OrderPlaced, async (_message, context) => {
              await new Promise((resolve) =>
                context.signal.addEventListener('abort', resolve, { once: true }),
              );
              sawAbort = true;
              throw new Error('aborted');
            }),
          ],
        }),
      ],
    });
    await harness.bus.publish(OrderPlaced, order('stuck'));
    await waitUntil(() => harness.bus.health().endpoints[0]?.busy === 1);
    const startedAt = Date.now();
    await harness.bus.stop({ deadlineMs: 100 });
    assert.ok(Date.now() - startedAt < 2_000);
    assert.equal(sawAbort, true);
    assert.equal(harness.transport.broker.queue('orders')?.depth, 1, 'the message is back in its queue');
    assert.equal(harness.queue('orders_error').length, 0, 'and not in the error queue');
  });

  it('rejects bad endpoint options with the field and the rule', () => {
    assert.throws(
      () => receiveEndpoint('orders', { concurrency: 0, consumers: [] }),
      (error: unknown) =>
        error instanceof ConfigurationError &&
        /concurrency must be an integer ≥ 1, got 0/.test(error.message),
    );
    assert.throws(
      () => receiveEndpoint('orders', { concurrency: 4, prefetch: 2, consumers: [] }),
      /prefetch must be/,
    );
    assert.throws(
      () => receiveEndpoint('orders', { retry: { immediate: { limit: 1, jitter: 2 } }, consumers: [] }),
      /retry\.immediate\.jitter must be between 0 and 1, got 2/,
    );
    assert.throws(() => receiveEndpoint('bad name', { consumers: [] }), /Endpoint name "bad name"/);
  });
});
