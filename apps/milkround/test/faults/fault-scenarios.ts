import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { restartPostgres, restartRabbitMq, type TestVhost } from '@switchyard/testing';
import type { BusinessTraffic, TrafficOptions } from './business-traffic.ts';
import { type EndpointTap, errorQueueReasons, holdInsertLock, tapEndpoint } from './fault-injection.ts';
import { faultSettings, type MilkroundSystem } from './milkround-system.ts';

/** What a scenario can reach while it injects its fault. */
export interface ScenarioContext {
  readonly system: MilkroundSystem;
  readonly traffic: BusinessTraffic;
  readonly databaseUrl: string;
  readonly vhost: TestVhost;
}

export interface FaultScenario {
  readonly name: string;
  readonly traffic?: Partial<TrafficOptions>;
  /** Runs before the traffic starts. */
  prepare?(context: ScenarioContext): Promise<void>;
  /**
   * Injects the fault while the traffic flows and resolves once it is over; the recovery clock starts
   * then, or at the time it answers (a killed process's replacement is started: its start-up counts).
   */
  inject(context: ScenarioContext): Promise<number | undefined>;
  /** Checks of its own once the traffic has finished and the ledger is clean. */
  verify?(context: ScenarioContext): Promise<void>;
}

/** Waits until the traffic has this many deliveries delivered: the fault strikes in the middle of the work. */
async function midStream(traffic: BusinessTraffic, delivered = 5): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (traffic.accepted.delivered.size < delivered) {
    if (Date.now() > deadline) throw new Error(`Traffic never reached ${delivered} deliveries`);
    await sleep(100);
  }
}

/** The billing endpoint: it takes charges (published DeliveryCompleted) and refunds (sent requests). */
const billingEndpoint = 'billing';

/** The scenarios, each made afresh so that what one keeps between its steps is its own. */
export const faultScenarios = (): readonly FaultScenario[] => [
  {
    name: 'kill -9 of a worker mid-batch',
    async inject({ system, traffic }) {
      await midStream(traffic);
      // A run plans every customer waiting for the date in one batch: the kill lands in the middle of it.
      const run = await fetch(`${system.url('operations')}/deliveries/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ deliveryDate: traffic.deliveryDate }),
      });
      assert.equal(run.status, 202, 'the run was accepted before the kill');
      await sleep(50);
      await system.kill('operations');
      // A supervisor notices and starts a new one a second later.
      await sleep(1_000);
      const replacedAt = Date.now();
      await system.start('operations');
      return replacedAt;
    },
    async verify({ vhost }) {
      const redelivered = await eventuallyRedelivered(vhost);
      assert.ok(redelivered > 0, "the broker handed the killed worker's unacknowledged messages out again");
    },
  },
  {
    name: 'RabbitMQ restart',
    async inject({ traffic }) {
      await midStream(traffic);
      await restartRabbitMq(2_000);
      return undefined;
    },
  },
  {
    name: 'PostgreSQL restart',
    async inject({ traffic }) {
      await midStream(traffic);
      await restartPostgres();
      return undefined;
    },
  },
  {
    name: 'network cut between worker and broker',
    async inject({ system, traffic }) {
      await midStream(traffic);
      system.brokerLink.block();
      system.brokerLink.cut();
      await sleep(5_000);
      system.brokerLink.restore();
      return undefined;
    },
  },
  duplicatedAndReordered(),
  poisonMessages(),
  {
    name: 'slow handler beyond its timeout',
    async inject({ traffic, databaseUrl }) {
      await midStream(traffic);
      // Charges block for three handler timeouts: each attempt is cut off, and a later one succeeds.
      await holdInsertLock(databaseUrl, 'billing.charges', faultSettings.handlerTimeoutMs * 3);
      return undefined;
    },
    async verify({ system }) {
      assert.match(
        system.log('operations'),
        /timed out/i,
        'the blocked charges were cut off by the handler timeout',
      );
    },
  },
];

/**
 * A tap on billing's exchange copies every message billing gets; mid-stream, all of them are sent
 * again, newest first, with their original ids. The drivers' phones meanwhile send "delivered" before
 * "loaded", and every event twice.
 */
function duplicatedAndReordered(): FaultScenario {
  let tap: EndpointTap | undefined;
  return {
    name: 'duplicated and reordered messages',
    traffic: { driverEvents: 'reversed-and-repeated' },
    async prepare({ vhost }) {
      tap = await tapEndpoint(vhost.url, billingEndpoint);
    },
    async inject({ traffic }) {
      if (!tap) throw new Error('prepare() opens the tap');
      await midStream(traffic, 15);
      const copies = await tap.drain();
      assert.ok(copies.length >= 15, `the tap copied billing's messages (${copies.length})`);
      await tap.publish(copies.reverse());
      await tap.close();
      return undefined;
    },
  };
}

/**
 * Two messages no retry can mend reach billing mid-stream: one that is not JSON, and one of a type
 * billing takes whose content breaks the type's schema. Both must end in billing_error with their
 * reason, and the stream must go on around them.
 */
function poisonMessages(): FaultScenario {
  const ids = {
    unreadable: '00000000-0000-7000-8000-00000000dead',
    invalid: '00000000-0000-7000-8000-00000000beef',
  };
  let tap: EndpointTap | undefined;
  return {
    name: 'poison messages',
    async prepare({ vhost }) {
      tap = await tapEndpoint(vhost.url, billingEndpoint);
    },
    async inject({ traffic }) {
      if (!tap) throw new Error('prepare() opens the tap');
      await midStream(traffic);
      const [sample] = await tap.drain();
      assert.ok(sample, 'the tap copied a billing message to spoil');
      const envelope = JSON.parse(sample.content.toString()) as Record<string, unknown>;
      await tap.publish([
        {
          content: Buffer.from('{"messageId": "not json'),
          properties: { ...sample.properties, messageId: ids.unreadable },
        },
        {
          content: Buffer.from(
            JSON.stringify({ ...envelope, messageId: ids.invalid, message: { deliveryId: 42 } }),
          ),
          properties: { ...sample.properties, messageId: ids.invalid },
        },
      ]);
      await tap.close();
      return undefined;
    },
    async verify({ vhost }) {
      const errors = await errorQueueReasons(vhost.url, `${billingEndpoint}_error`);
      const ours = new Set(Object.values(ids));
      const poisoned = errors.filter((each) => each.messageId !== undefined && ours.has(each.messageId));
      assert.equal(
        poisoned.length,
        2,
        `both poison messages are in billing_error: ${JSON.stringify(errors)}`,
      );
      for (const each of poisoned) assert.ok(each.reason.length > 0, `${each.messageId} has its reason`);
      assert.equal(errors.length, 2, `nothing else is in billing_error: ${JSON.stringify(errors)}`);
    },
  };
}

/**
 * How many messages the broker has delivered again in the vhost (its management statistics, which
 * lag by a few seconds, so they are polled).
 */
async function eventuallyRedelivered(vhost: TestVhost): Promise<number> {
  let redelivered = 0;
  for (let tries = 0; tries < 30 && redelivered === 0; tries += 1) {
    const stats = (await vhost.readManagement(`/api/vhosts/${encodeURIComponent(vhost.name)}`)) as {
      message_stats?: { redeliver?: number };
    };
    redelivered = stats.message_stats?.redeliver ?? 0;
    if (redelivered === 0) await sleep(500);
  }
  return redelivered;
}
