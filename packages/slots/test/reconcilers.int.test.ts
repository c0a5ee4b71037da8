import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { rabbitmqForTests } from '@switchyard/testing';
import { applyRoutingPlan } from '../src/reconciler/apply-routing-plan.ts';
import { freshSlottedBrokerPerTest } from './support/slotted-broker.ts';

const rabbitmq = await rabbitmqForTests();

/** What the broker routes, as one comparable text: bindings with arguments, and the slots' policies. */
async function routingSnapshot(read: (path: string) => Promise<unknown>, vhost: string): Promise<string> {
  const path = encodeURIComponent(vhost);
  const bindings = (await read(`/api/bindings/${path}`)) as {
    source: string;
    destination: string;
    arguments: Record<string, unknown>;
  }[];
  const policies = (await read(`/api/policies/${path}`)) as { name: string; definition: unknown }[];
  return JSON.stringify([
    bindings
      .filter((each) => each.source !== '')
      .map((each) => `${each.source}→${each.destination} ${JSON.stringify(each.arguments)}`)
      .sort(),
    policies.map((each) => `${each.name} ${JSON.stringify(each.definition)}`).sort(),
  ]);
}

describe('several reconcilers', { skip: rabbitmq.skip }, () => {
  const broker = freshSlottedBrokerPerTest(rabbitmq, { beforeEach, afterEach });

  it('two looping at once converge, then hold the routing still (no flapping over many loops)', async () => {
    await broker().writeDesired(
      'services:\n  billing:\n    live: blue\n    canary: { slot: green, percent: 10 }\n',
    );
    const first = broker().reconciler({ intervalMs: 50 });
    const second = broker().reconciler({ intervalMs: 50 });
    first.start();
    second.start();
    try {
      const { vhost } = broker();
      const read = (path: string) => vhost.readManagement(path);
      let previous = '';
      let stableFor = 0;
      const deadline = Date.now() + 20_000;
      while (stableFor < 20 && Date.now() < deadline) {
        const snapshot = await routingSnapshot(read, vhost.name);
        stableFor = snapshot === previous ? stableFor + 1 : 0;
        previous = snapshot;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(stableFor, 20, 'the routing stayed the same over 20 looks, two seconds of both looping');
      assert.equal(first.driftRepaired.get('billing') ?? 0, 0, 'neither saw the other as drift');
      assert.equal(second.driftRepaired.get('billing') ?? 0, 0);
      assert.equal((await first.plan()).plan.steps.length, 0);
    } finally {
      await first.stop();
      await second.stop();
    }
  });

  it('one killed after any step of its plan leaves a state the next pass completes, with nothing routed nowhere', async () => {
    await broker().writeDesired('services:\n  billing:\n    live: blue\n');
    const planner = broker().reconciler();
    await planner.reconcileOnce();
    await broker().desiredState.update('billing', () => ({ live: 'green', canary: undefined }));
    const { plan } = await planner.plan();
    assert.ok(plan.steps.length >= 3, `a switch is several steps (${plan.steps.length})`);
    for (let cut = 0; cut <= plan.steps.length; cut++) {
      // Back to blue, then apply the switch's first `cut` steps only, as a reconciler killed there would.
      await broker().desiredState.update('billing', () => ({ live: 'blue' }));
      await planner.reconcileOnce();
      await broker().desiredState.update('billing', () => ({ live: 'green' }));
      const { plan: switchPlan } = await planner.plan();
      await applyRoutingPlan(
        { steps: switchPlan.steps.slice(0, cut), conflicts: [] },
        { management: broker().management, amqpUrl: broker().vhost.url, policyPriority: 100 },
      );
      await broker().publish('billing', `cut-${cut}`);
      const taken = [
        ...(await broker().takeAll('billing@blue')),
        ...(await broker().takeAll('billing@green')),
      ];
      assert.deepEqual(taken, [`cut-${cut}`], `after ${cut} step(s), a message reaches exactly one slot`);
      const next = broker().reconciler();
      await next.reconcileOnce();
      assert.equal((await next.plan()).plan.steps.length, 0, `after ${cut} step(s), one more pass converges`);
    }
  });
});
