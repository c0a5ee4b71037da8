import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConfigurationError,
  consumer,
  MemoryScheduler,
  receiveEndpoint,
  startTestHarness,
} from '@switchyard/bus';
import { OrderPlaced, order } from './support/messages.ts';

describe('scheduled send', () => {
  const endpoints = [receiveEndpoint('orders', { consumers: [consumer(OrderPlaced, () => {})] })];

  it('delivers at the due time, not before, through the scheduler', async () => {
    const scheduler = new MemoryScheduler();
    const harness = await startTestHarness({ endpoints, scheduler });
    try {
      const dueAt = new Date(Date.now() + 150);
      const token = await harness.bus.scheduleSend('queue:orders', dueAt, OrderPlaced, order('later'));
      assert.equal(token.dueAt, dueAt);
      assert.deepEqual(
        (await scheduler.pending()).map((each) => each.id),
        [token.tokenId],
      );
      const consumed = await harness.consumed.waitFor(OrderPlaced);
      assert.ok(Date.now() >= dueAt.getTime(), 'not before its time');
      assert.equal(consumed.message.orderId, 'later');
      // The scheduler removes its entry once the send has gone, which may be just after the consumer ran.
      let pending = 1;
      for (const deadline = Date.now() + 5_000; pending > 0 && Date.now() < deadline; ) {
        pending = (await scheduler.pending()).length;
        if (pending > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(pending, 0, 'the entry is gone once it has been sent');
    } finally {
      await harness.stop();
    }
  });

  it('cancels a scheduled send before it is due', async () => {
    const harness = await startTestHarness({ endpoints, scheduler: new MemoryScheduler() });
    try {
      const token = await harness.bus.scheduleSend(
        'orders',
        new Date(Date.now() + 100),
        OrderPlaced,
        order('never'),
      );
      assert.equal(await harness.bus.cancelScheduledSend(token.tokenId), true);
      await harness.bus.scheduleSend('orders', new Date(Date.now() + 150), OrderPlaced, order('marker'));
      await harness.consumed.waitFor(OrderPlaced, (record) => record.message.orderId === 'marker');
      assert.deepEqual(
        harness.consumed.ofType(OrderPlaced).map((record) => record.message.orderId),
        ['marker'],
      );
      assert.equal(await harness.bus.cancelScheduledSend(token.tokenId), false);
    } finally {
      await harness.stop();
    }
  });

  it('says what is missing when the bus has no scheduler', async () => {
    const harness = await startTestHarness({ endpoints });
    try {
      await assert.rejects(
        harness.bus.scheduleSend('orders', new Date(), OrderPlaced, order('x')),
        (error: unknown) => error instanceof ConfigurationError && /has no scheduler/.test(error.message),
      );
    } finally {
      await harness.stop();
    }
  });
});
