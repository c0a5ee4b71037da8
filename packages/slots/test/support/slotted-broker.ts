import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conversationBucket, slotRoutingHeaders } from '@switchyard/bus';
import { ManagementClient } from '@switchyard/rabbitmq';
import type { TestVhost } from '@switchyard/testing';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { ServiceCatalogue } from '../../src/desired-state/desired-state.ts';
import { FileDesiredState } from '../../src/desired-state/file-desired-state.ts';
import { SlotReconciler, type SlotReconcilerOptions } from '../../src/reconciler/slot-reconciler.ts';

/** One service, `billing`, with one endpoint of the same name: what most routing tests need. */
export const billingCatalogue: ServiceCatalogue = {
  services: { billing: [{ name: 'billing', queueType: 'classic' }] },
};

/** A vhost with a desired-state file, a publisher and reconcilers over them. */
export interface SlottedBroker {
  readonly vhost: TestVhost;
  readonly management: ManagementClient;
  readonly desiredState: FileDesiredState;
  readonly desiredStatePath: string;
  readonly connection: ChannelModel;
  readonly publisher: ConfirmChannel;
  writeDesired(yaml: string): Promise<void>;
  reconciler(options?: Partial<SlotReconcilerOptions>): SlotReconciler;
  /**
   * Publishes to `exchange` as the bus does: with the conversation's bucket and, if given, the slot,
   * as transport headers. Resolves once the broker confirmed it.
   */
  publish(
    exchange: string,
    messageId: string,
    options?: { conversationId?: string; slot?: string },
  ): Promise<void>;
  /** Takes every message now in `queue` (acknowledging it) and answers their message ids. */
  takeAll(queue: string): Promise<string[]>;
  /** Messages ready in `queue` now (exact, over AMQP). */
  depth(queue: string): Promise<number>;
  close(): Promise<void>;
}

export async function slottedBroker(
  vhost: TestVhost,
  catalogue: ServiceCatalogue = billingCatalogue,
): Promise<SlottedBroker> {
  const directory = await mkdtemp(join(tmpdir(), 'slots-'));
  const desiredStatePath = join(directory, 'slots.yaml');
  const management = ManagementClient.forAmqpUrl(vhost.url);
  const desiredState = new FileDesiredState(desiredStatePath, { catalogue });
  const connection = await amqp.connect(vhost.url);
  const publisher = await connection.createConfirmChannel();
  const reader = await connection.createChannel();
  return {
    vhost,
    management,
    desiredState,
    desiredStatePath,
    connection,
    publisher,
    writeDesired: (yaml) => writeFile(desiredStatePath, yaml),
    reconciler: (options = {}) =>
      new SlotReconciler({
        url: vhost.url,
        management,
        desiredState,
        catalogue,
        intervalMs: 100,
        ...options,
      }),
    async publish(exchange, messageId, options = {}) {
      const conversation = options.conversationId ?? messageId;
      const headers: Record<string, string> = {
        [slotRoutingHeaders.bucket]: String(conversationBucket(conversation)),
      };
      if (options.slot) headers[slotRoutingHeaders.slot] = options.slot;
      await new Promise<void>((resolve, reject) => {
        publisher.publish(
          exchange,
          '',
          Buffer.from(conversation),
          { messageId, persistent: true, headers },
          (error) => (error ? reject(error) : resolve()),
        );
      });
    },
    async takeAll(queue) {
      // A channel per call: asking for a queue that does not exist closes the channel it was asked on.
      const channel = await connection.createChannel();
      channel.on('error', () => {});
      const ids: string[] = [];
      try {
        for (;;) {
          const message = await channel.get(queue, { noAck: true });
          if (!message) return ids;
          ids.push(String(message.properties.messageId));
        }
      } catch (error) {
        if (/NOT_FOUND/.test(String(error))) return ids;
        throw error;
      } finally {
        await channel.close().catch(() => {});
      }
    },
    async depth(queue) {
      return (await reader.checkQueue(queue)).messageCount;
    },
    async close() {
      await connection.close().catch(() => {});
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * Registers hooks that give each test a fresh vhost with the `billing` entry exchange declared (as the
 * application's topology declares it) and a SlottedBroker over it; answers a getter for the test's.
 */
export function freshSlottedBrokerPerTest(
  rabbitmq: { createVhost(): Promise<TestVhost> },
  hooks: { beforeEach(fn: () => Promise<void>): void; afterEach(fn: () => Promise<void>): void },
  catalogue: ServiceCatalogue = billingCatalogue,
): () => SlottedBroker {
  let current: SlottedBroker | undefined;
  hooks.beforeEach(async () => {
    const vhost = await rabbitmq.createVhost();
    current = await slottedBroker(vhost, catalogue);
    for (const endpoints of Object.values(catalogue.services)) {
      for (const endpoint of endpoints)
        await current.publisher.assertExchange(endpoint.name, 'fanout', { durable: true });
    }
  });
  hooks.afterEach(async () => {
    await current?.close();
    await current?.vhost.delete();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('no broker: call inside a test');
    return current;
  };
}

/** Polls `condition` every 200 ms until it holds; fails naming what was awaited after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
