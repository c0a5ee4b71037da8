import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { rabbitmqForTests } from '@switchyard/testing';
import { freshSlottedBrokerPerTest } from './support/slotted-broker.ts';

const rabbitmq = await rabbitmqForTests();

describe('a canary share of new conversations', { skip: rabbitmq.skip }, () => {
  const broker = freshSlottedBrokerPerTest(rabbitmq, { beforeEach, afterEach });

  it('sends about its share of conversations to the canary, every message of one conversation to the same slot', async () => {
    await broker().writeDesired(
      'services:\n  billing:\n    live: blue\n    canary: { slot: green, percent: 20 }\n',
    );
    await broker().reconciler().reconcileOnce();
    const conversations = 1_000;
    const messagesEach = 3;
    await Promise.all(
      Array.from({ length: conversations }, async (_, conversation) => {
        for (let index = 0; index < messagesEach; index++) {
          await broker().publish('billing', `c${conversation}-m${index}`, {
            conversationId: `conversation-${conversation}`,
          });
        }
      }),
    );
    const green = await broker().takeAll('billing@green');
    const blue = await broker().takeAll('billing@blue');
    assert.equal(green.length + blue.length, conversations * messagesEach, 'every message in one slot');
    const slotOf = new Map<string, Set<string>>();
    for (const [slot, ids] of [
      ['green', green],
      ['blue', blue],
    ] as const) {
      for (const id of ids) {
        const conversation = id.split('-')[0] ?? id;
        slotOf.set(conversation, (slotOf.get(conversation) ?? new Set()).add(slot));
      }
    }
    assert.ok(
      [...slotOf.values()].every((slots) => slots.size === 1),
      'no conversation split across slots',
    );
    const share = green.length / (conversations * messagesEach);
    assert.ok(share > 0.15 && share < 0.25, `the canary took ${(share * 100).toFixed(1)}% (want about 20%)`);
  });

  it('widens the share without moving a conversation the canary already has, and a full switch ends the canary', async () => {
    await broker().writeDesired(
      'services:\n  billing:\n    live: blue\n    canary: { slot: green, percent: 5 }\n',
    );
    const reconciler = broker().reconciler();
    await reconciler.reconcileOnce();
    const ids = Array.from({ length: 400 }, (_, index) => `k${index}`);
    for (const id of ids) await broker().publish('billing', `${id}-first`, { conversationId: id });
    const firstInGreen = new Set((await broker().takeAll('billing@green')).map((id) => id.split('-')[0]));
    await broker().takeAll('billing@blue');
    await broker().desiredState.update('billing', (current) => ({
      live: current?.live ?? 'blue',
      canary: { slot: 'green', percent: 25 },
    }));
    await reconciler.reconcileOnce();
    for (const id of ids) await broker().publish('billing', `${id}-second`, { conversationId: id });
    const secondInGreen = new Set((await broker().takeAll('billing@green')).map((id) => id.split('-')[0]));
    await broker().takeAll('billing@blue');
    for (const id of firstInGreen) assert.ok(secondInGreen.has(id), `${id} stays in the canary as it widens`);
    assert.ok(
      secondInGreen.size > firstInGreen.size * 2,
      `${firstInGreen.size} → ${secondInGreen.size} conversations`,
    );

    await broker().desiredState.update('billing', () => ({ live: 'green' }));
    const pass = await reconciler.reconcileOnce();
    assert.ok(
      pass.plan.steps.some((step) => step.action === 'unbind' && step.binding.source === 'billing@canary'),
    );
    for (const id of ids) await broker().publish('billing', `${id}-third`, { conversationId: id });
    assert.equal(
      (await broker().takeAll('billing@green')).length,
      ids.length,
      'all new messages go to the new live slot',
    );
    assert.equal(await broker().depth('billing@blue'), 0);
  });
});
