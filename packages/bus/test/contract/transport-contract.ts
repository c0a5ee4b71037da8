import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  buildTopology,
  type Delivery,
  type Topology,
  type Transport,
  type TransportMessage,
  uuidv7,
} from '@switchyard/bus';

/** A place several transports can connect to, like one broker shared by several processes. */
export interface TransportFixture {
  connect(): Promise<Transport>;
  dispose(): Promise<void>;
}

/**
 * The behaviour every transport must show. Run it against each implementation with a factory that
 * makes a fresh, isolated fixture (a new in-memory broker, a fresh vhost, a fresh schema).
 */
export function transportContract(name: string, createFixture: () => Promise<TransportFixture>): void {
  describe(`Transport contract: ${name}`, () => {
    let fixture: TransportFixture;
    const open: Transport[] = [];
    const connect = async () => {
      const transport = await fixture.connect();
      open.push(transport);
      return transport;
    };

    before(async () => {
      fixture = await createFixture();
    });
    after(async () => {
      for (const transport of open) await transport.close().catch(() => {});
      await fixture.dispose();
    });

    it('publishes to every endpoint subscribed to the message type, and to no other', async () => {
      const transport = await connect();
      const prefix = unique('pub');
      await transport.deploy(
        buildTopology([
          { name: `${prefix}-billing`, subscribes: [`${prefix}:OrderPlaced`] },
          { name: `${prefix}-deliveries`, subscribes: [`${prefix}:OrderPlaced`, `${prefix}:OrderCancelled`] },
          { name: `${prefix}-returns`, subscribes: [`${prefix}:OrderCancelled`] },
        ]),
      );
      const billing = await collect(transport, `${prefix}-billing`);
      const deliveries = await collect(transport, `${prefix}-deliveries`);
      const returns = await collect(transport, `${prefix}-returns`);

      const placed = message('placed');
      await transport.publish(`${prefix}:OrderPlaced`, placed);

      assert.equal((await billing.waitFor(1))[0]?.message.messageId, placed.messageId);
      assert.equal((await deliveries.waitFor(1))[0]?.message.messageId, placed.messageId);
      await settleAll(billing.deliveries, deliveries.deliveries);
      await returns.expectNothing();
    });

    it('sends to one queue, keeping body, content type, ids and headers', async () => {
      const transport = await connect();
      const queue = unique('send');
      await transport.deploy(buildTopology([{ name: queue, subscribes: [] }]));
      const other = unique('other');
      await transport.deploy(buildTopology([{ name: other, subscribes: [] }]));
      const received = await collect(transport, queue);
      const untouched = await collect(transport, other);

      const sent = message('hello', {
        correlationId: uuidv7(),
        headers: { 'MT-Reason': 'test', attempt: 3, urgent: true, absent: null },
      });
      await transport.send(queue, sent);

      const [delivery] = await received.waitFor(1);
      assert.ok(delivery);
      assert.equal(delivery.queue, queue);
      assert.equal(delivery.redelivered, false);
      assert.equal(delivery.message.messageId, sent.messageId);
      assert.equal(delivery.message.correlationId, sent.correlationId);
      assert.equal(delivery.message.contentType, sent.contentType);
      assert.equal(Buffer.from(delivery.message.body).toString(), 'hello');
      assert.equal(delivery.message.headers['MT-Reason'], 'test');
      assert.equal(delivery.message.headers.attempt, 3);
      assert.equal(delivery.message.headers.urgent, true);
      await delivery.ack();
      await untouched.expectNothing();
    });

    it('keeps messages sent before anyone consumes, in order', async () => {
      const transport = await connect();
      const queue = unique('wait');
      await transport.deploy(buildTopology([{ name: queue, subscribes: [] }]));
      const sent = [message('1'), message('2'), message('3')];
      for (const each of sent) await transport.send(queue, each);

      const received = await collect(transport, queue, 1);
      const order: string[] = [];
      for (let index = 0; index < sent.length; index++) {
        const delivery = (await received.waitFor(index + 1))[index] as Delivery;
        order.push(delivery.message.messageId);
        await delivery.ack();
      }
      assert.deepEqual(
        order,
        sent.map((each) => each.messageId),
      );
    });

    it('gives each message to exactly one of several competing consumers', async () => {
      const first = await connect();
      const second = await connect();
      const queue = unique('compete');
      await first.deploy(buildTopology([{ name: queue, subscribes: [] }]));
      const a = await collect(first, queue, 5, true);
      const b = await collect(second, queue, 5, true);
      const sent = Array.from({ length: 40 }, (_, index) => message(String(index)));
      for (const each of sent) await first.send(queue, each);

      await waitUntil(() => a.deliveries.length + b.deliveries.length === sent.length);
      const ids = [...a.deliveries, ...b.deliveries].map((delivery) => delivery.message.messageId).sort();
      assert.deepEqual(ids, sent.map((each) => each.messageId).sort());
      assert.ok(a.deliveries.length > 0 && b.deliveries.length > 0, 'both consumers took part');
    });

    it('hands out no more than prefetch unsettled deliveries to one consumer', async () => {
      const transport = await connect();
      const queue = unique('prefetch');
      await transport.deploy(buildTopology([{ name: queue, subscribes: [] }]));
      for (let index = 0; index < 10; index++) await transport.send(queue, message(String(index)));
      const received = await collect(transport, queue, 3);

      await received.waitFor(3);
      await received.expectNothing(3);
      await received.deliveries[0]?.ack();
      await received.waitFor(4);
      await received.expectNothing(4);
      await settleAll(received.deliveries.slice(1));
      await received.waitFor(7);
    });

    it('redelivers a requeued message, marked as redelivered', async () => {
      const transport = await connect();
      const queue = unique('requeue');
      await transport.deploy(buildTopology([{ name: queue, subscribes: [] }]));
      const received = await collect(transport, queue, 1);
      const sent = message('again');
      await transport.send(queue, sent);

      const [first] = await received.waitFor(1);
      await first?.requeue();
      const second = (await received.waitFor(2))[1];
      assert.equal(second?.message.messageId, sent.messageId);
      assert.equal(second?.redelivered, true);
      await second?.ack();
      await received.expectNothing(2);
    });

    it('returns unsettled deliveries to the queue when a consumer goes away', async () => {
      const crashing = await connect();
      const queue = unique('crash');
      await crashing.deploy(buildTopology([{ name: queue, subscribes: [] }]));
      const held = await collect(crashing, queue, 5);
      const sent = [message('a'), message('b')];
      for (const each of sent) await crashing.send(queue, each);
      await held.waitFor(2);

      await crashing.close();
      const survivor = await connect();
      const received = await collect(survivor, queue, 5);
      const redelivered = await received.waitFor(2);
      assert.deepEqual(
        redelivered.map((delivery) => delivery.message.messageId).sort(),
        sent.map((each) => each.messageId).sort(),
      );
      assert.ok(redelivered.every((delivery) => delivery.redelivered));
      await settleAll(redelivered);
    });

    it("vouches for a message only when it came back through the queue's own redelivery path", async () => {
      const transport = await connect();
      const queue = unique('vouch');
      const other = unique('vouch-other');
      await transport.deploy(buildTopology([{ name: queue, subscribes: [] }]));
      await transport.deploy(buildTopology([{ name: other, subscribes: [] }]));
      const received = await collect(transport, queue);
      const elsewhere = await collect(transport, other);
      const forged = message('forged', {
        headers: {
          'MT-Redelivery-Count': 3,
          'Switchyard-Redelivery-Queue': queue,
          'x-death': 'forged',
          'x-delivery-count': 9,
        },
      });
      await transport.send(queue, forged);
      const [plain] = await received.waitFor(1);
      assert.equal(plain?.viaOwnRedelivery ?? false, false, 'headers alone never make a redelivery');
      await plain?.ack();

      const redelivered = message('back', { headers: { 'MT-Redelivery-Count': 1 } });
      await transport.send(queue, redelivered, { delayMs: 20, redelivery: true });
      const [, own] = await received.waitFor(2);
      assert.equal(own?.message.messageId, redelivered.messageId);
      assert.equal(own?.viaOwnRedelivery, true);
      assert.equal(own?.message.headers['MT-Redelivery-Count'], 1);
      await own?.requeue();
      const [, , again] = await received.waitFor(3);
      assert.equal(again?.viaOwnRedelivery, true, 'a requeue keeps what the transport knows');
      await again?.ack();
      await elsewhere.expectNothing();
    });

    it('counts the deliveries a consumer went away holding, as the delivery limit needs', async () => {
      const first = await connect();
      const queue = unique('count');
      // Quorum where the transport has queue types: RabbitMQ's classic queues keep no count.
      const topology = buildTopology([{ name: queue, subscribes: [], queueType: 'quorum' }]);
      await first.deploy(topology);
      const held = await collect(first, queue, 1);
      const sent = message('crashes-its-consumer', { headers: { 'x-delivery-count': 7 } });
      await first.send(queue, sent);
      const [delivery] = await held.waitFor(1);
      assert.equal(delivery?.deliveryCount, 1, 'a first delivery, whatever its headers say');

      await first.close(); // went away without settling, like a killed process
      const second = await connect();
      await second.deploy(topology); // as every process's bus does when it starts
      const received = await collect(second, queue, 1);
      const [again] = await received.waitFor(1);
      assert.equal(again?.message.messageId, sent.messageId);
      assert.equal(again?.deliveryCount, 2);
      await again?.ack();
    });

    it('delays a send by at least the requested time', async () => {
      const transport = await connect();
      const queue = unique('delay');
      await transport.deploy(buildTopology([{ name: queue, subscribes: [] }]));
      const received = await collect(transport, queue);
      const startedAt = performance.now();
      await transport.send(queue, message('later'), { delayMs: 300 });

      const [delivery] = await received.waitFor(1, 10_000);
      const waited = performance.now() - startedAt;
      assert.ok(waited >= 290, `delivered after ${waited.toFixed(0)}ms`);
      await delivery?.ack();
    });

    it('deploys the same topology twice without error or duplicate routes', async () => {
      const transport = await connect();
      const prefix = unique('twice');
      const topology: Topology = buildTopology([{ name: `${prefix}-q`, subscribes: [`${prefix}:Thing`] }]);
      await transport.deploy(topology);
      await transport.deploy(topology);
      const received = await collect(transport, `${prefix}-q`);
      await transport.publish(`${prefix}:Thing`, message('once'));
      await received.waitFor(1);
      await received.expectNothing(1);
      await settleAll(received.deliveries);
    });

    it('removes a temporary queue when its consumer goes away', async () => {
      const transport = await connect();
      const queue = unique('temp');
      await transport.deploy(buildTopology([{ name: queue, subscribes: [], temporary: true }]));
      const held: Delivery[] = [];
      const handle = await transport.consume(queue, { prefetch: 1 }, (delivery) => held.push(delivery));
      await transport.send(queue, message('held'));
      await transport.send(queue, message('waiting'));
      await waitUntil(() => held.length === 1);
      await handle.cancel();
      const later = await connect();
      await later.deploy(buildTopology([{ name: queue, subscribes: [], temporary: true }]));
      const received = await collect(later, queue);
      await received.expectNothing();
    });

    it('reports itself connected after start and closed after close', async () => {
      const transport = await connect();
      assert.equal(transport.health().state, 'connected');
      await transport.close();
      assert.equal(transport.health().state, 'closed');
    });
  });
}

function unique(label: string): string {
  return `${label}-${Math.random().toString(36).slice(2, 10)}`;
}

function message(body: string, extra: Partial<TransportMessage> = {}): TransportMessage {
  return {
    messageId: uuidv7(),
    contentType: 'text/plain',
    body: Buffer.from(body),
    headers: {},
    ...extra,
  };
}

interface Collector {
  readonly deliveries: Delivery[];
  waitFor(count: number, timeoutMs?: number): Promise<Delivery[]>;
  /** Waits a little and asserts that no more than `count` deliveries arrived. */
  expectNothing(count?: number): Promise<void>;
}

async function collect(
  transport: Transport,
  queue: string,
  prefetch = 10,
  autoAck = false,
): Promise<Collector> {
  const deliveries: Delivery[] = [];
  await transport.consume(queue, { prefetch }, (delivery) => {
    deliveries.push(delivery);
    if (autoAck) void delivery.ack();
  });
  return {
    deliveries,
    async waitFor(count, timeoutMs = 5_000) {
      await waitUntil(() => deliveries.length >= count, timeoutMs, `${count} deliveries from ${queue}`);
      return deliveries;
    },
    async expectNothing(count = 0) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(deliveries.length, count, `expected ${count} deliveries from ${queue}`);
    },
  };
}

async function settleAll(...groups: Delivery[][]): Promise<void> {
  for (const group of groups) for (const delivery of group) await delivery.ack().catch(() => {});
}

/** Polls a condition every few milliseconds until it holds or the time runs out. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
