import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTopology } from '@switchyard/bus';
import {
  DestructiveChangeError,
  formatPlan,
  ManagementClient,
  TopologyDeployer,
  vhostOf,
} from '@switchyard/rabbitmq';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import amqp from 'amqplib';

const rabbitmq = await rabbitmqForTests();

describe('topology deployer against the live broker', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;
  let deployer: TopologyDeployer;

  before(async () => {
    vhost = await rabbitmq.createVhost();
    deployer = new TopologyDeployer({
      url: vhost.url,
      management: new ManagementClient(vhost.managementUrl, vhostOf(vhost.url)),
    });
  });
  after(async () => {
    await vhost?.delete();
  });

  const version1 = buildTopology([
    { name: 'billing', subscribes: ['milkround.orders:OrderPlaced', 'milkround.returns:RefundIssued'] },
  ]);
  const version2 = buildTopology([{ name: 'billing', subscribes: ['milkround.orders:OrderPlaced'] }]);

  it('plans every creation on an empty vhost, applies it, then plans nothing', async () => {
    const plan = await deployer.plan(version1);
    const creates = plan.steps.filter((step) => step.action.startsWith('create-'));
    assert.equal(
      creates.length,
      version1.exchanges.length + version1.queues.length + version1.bindings.length,
    );
    assert.match(formatPlan(plan), /\+ exchange milkround\.orders:OrderPlaced \(fanout, durable\)/);
    assert.match(formatPlan(plan), /\+ binding milkround\.returns:RefundIssued → billing \(exchange\)/);

    await deployer.apply(version1);
    assert.deepEqual((await deployer.plan(version1)).steps, []);
    assert.equal(formatPlan(await deployer.plan(version1)), 'No changes: the broker matches the topology.');
    await deployer.apply(version1); // idempotent
  });

  it('removes the binding of a subscription the topology dropped, and only that', async () => {
    const plan = await deployer.plan(version2);
    assert.deepEqual(plan.steps, [
      {
        action: 'remove-binding',
        binding: {
          source: 'milkround.returns:RefundIssued',
          destination: 'billing',
          destinationType: 'exchange',
        },
      },
    ]);
    await deployer.apply(version2);
    assert.deepEqual((await deployer.plan(version2)).steps, []);
  });

  it('refuses a queue type change unless forced, saying what would be lost', async () => {
    const connection = await amqp.connect(vhost.url);
    const channel = await connection.createConfirmChannel();
    channel.sendToQueue('billing', Buffer.from('waiting'), { persistent: true });
    await channel.waitForConfirms();
    await connection.close();

    const quorum = buildTopology([
      { name: 'billing', subscribes: ['milkround.orders:OrderPlaced'], queueType: 'quorum' },
    ]);
    await assert.rejects(deployer.apply(quorum), (error: unknown) => {
      assert.ok(error instanceof DestructiveChangeError);
      assert.match(
        error.message,
        /! queue billing: queue type classic → quorum \(destructive: deletes the queue and its \d+ messages\)/,
      );
      return true;
    });
    const applied = await deployer.apply(quorum, { force: true });
    assert.ok(applied.steps.some((step) => step.action === 'replace-queue'));
    assert.deepEqual((await deployer.plan(quorum)).steps, []);
  });
});
