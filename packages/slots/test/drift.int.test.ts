import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { rabbitmqForTests } from '@switchyard/testing';
import { freshSlottedBrokerPerTest } from './support/slotted-broker.ts';

const rabbitmq = await rabbitmqForTests();

describe('drift in the slots routing', { skip: rabbitmq.skip }, () => {
  const broker = freshSlottedBrokerPerTest(rabbitmq, { beforeEach, afterEach });

  it('finds a binding removed and one added by hand, reports each with its service, counts it, and repairs it', async () => {
    await broker().writeDesired('services:\n  billing:\n    live: blue\n');
    const reconciler = broker().reconciler();
    await reconciler.reconcileOnce();
    assert.equal((await reconciler.reconcileOnce()).plan.steps.length, 0, 'converged');

    const admin = broker().publisher;
    await admin.unbindQueue('billing@blue', 'billing@blue', '');
    await admin.assertQueue('audit', { durable: true });
    await admin.bindQueue('audit', 'billing', '');
    const pass = await reconciler.reconcileOnce();
    const described = pass.drift.map((step) =>
      step.action === 'bind' || step.action === 'unbind'
        ? `${step.service} ${step.action} ${step.binding.source}→${step.binding.destination}`
        : step.action,
    );
    assert.deepEqual(described.sort(), [
      'billing bind billing@blue→billing@blue',
      'billing unbind billing→audit',
    ]);
    assert.equal(reconciler.driftRepaired.get('billing'), 2);

    await broker().publish('billing', 'after-repair');
    assert.deepEqual(await broker().takeAll('billing@blue'), ['after-repair']);
    assert.equal(await broker().depth('audit'), 0, 'the hand-made binding no longer takes messages');
  });

  it('rebuilds the routing of an exchange deleted and re-created (which drops its bindings and policy target)', async () => {
    await broker().writeDesired('services:\n  billing:\n    live: blue\n');
    const reconciler = broker().reconciler();
    await reconciler.reconcileOnce();
    const admin = broker().publisher;
    await admin.deleteExchange('billing@blue');
    await admin.assertExchange('billing@blue', 'fanout', { durable: true });
    const pass = await reconciler.reconcileOnce();
    assert.ok(pass.drift.some((step) => step.action === 'bind' && step.binding.source === 'billing@blue'));
    assert.ok(
      pass.drift.some((step) => step.action === 'bind' && step.binding.destination === 'billing@blue'),
    );
    await broker().publish('billing', 'routed-again');
    await broker().publish('billing', 'bound', { slot: 'blue' });
    assert.deepEqual((await broker().takeAll('billing@blue')).sort(), ['bound', 'routed-again']);
  });

  it('does not count a change of the desired state as drift', async () => {
    await broker().writeDesired('services:\n  billing:\n    live: blue\n');
    const reconciler = broker().reconciler();
    await reconciler.reconcileOnce();
    await broker().desiredState.update('billing', () => ({ live: 'green' }));
    const pass = await reconciler.reconcileOnce();
    assert.ok(pass.plan.steps.length > 0);
    assert.deepEqual(pass.drift, []);
    assert.equal(reconciler.driftRepaired.get('billing') ?? 0, 0);
  });
});
