import assert from 'node:assert/strict';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TransportMessage } from '@switchyard/bus';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import amqp from 'amqplib';
import { waitUntil } from '../../bus/test/contract/transport-contract.ts';

const rabbitmq = await rabbitmqForTests();

/**
 * The faults between a connection and its channels: the link dropping in the moment after the AMQP
 * handshake, before the transport has its channels, and the broker closing a channel or cancelling a
 * consumer while the connection lives on. Each used to leave a process dead or deaf.
 */
describe('RabbitMQ transport when channels fail', { skip: rabbitmq.skip, timeout: 60_000 }, () => {
  let vhost: TestVhost;
  let broker: { host: string; port: number };

  before(async () => {
    vhost = await rabbitmq.createVhost();
    const url = new URL(vhost.url);
    broker = { host: url.hostname, port: Number(url.port || 5672) };
  });
  after(async () => {
    await vhost?.delete();
  });

  // An 'error' event nobody listens to is thrown from the socket's callback: an uncaught exception,
  // which the test runner reports as this test's failure, as it would end a host process.
  it('keeps running when the link drops just after the handshake of a reconnection, and reconnects', async () => {
    const proxy = await startChannelOpenCutter(broker);
    const transport = new RabbitMqTransport({
      url: throughPort(vhost.url, proxy.port),
      reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    try {
      await transport.start();
      const received: string[] = [];
      await transport.consume('channel-faults-a', { prefetch: 4 }, (delivery) => {
        received.push(delivery.message.messageId);
        void delivery.ack();
      });
      // The next two connections lose their link the moment they open a channel.
      proxy.cutAtChannelOpen(2);
      proxy.dropAll();
      await waitUntil(() => proxy.cutsDone === 2 && transport.health().state === 'connected', 10_000);
      await transport.send('channel-faults-a', message('after-reconnect'));
      await waitUntil(() => received.includes('after-reconnect'), 10_000);
    } finally {
      await transport.close();
      await proxy.close();
    }
  });

  it('fails start clearly, without an uncaught exception, when the link drops as it opens its channels', async () => {
    const proxy = await startChannelOpenCutter(broker);
    const transport = new RabbitMqTransport({ url: throughPort(vhost.url, proxy.port) });
    try {
      proxy.cutAtChannelOpen(1);
      await assert.rejects(transport.start());
      await sleep(100);
    } finally {
      await transport.close();
      await proxy.close();
    }
  });

  it('opens a new publishing channel after the broker closes the old one, and publishes again', async () => {
    const transport = new RabbitMqTransport({ url: vhost.url });
    await transport.start();
    const admin = await amqp.connect(vhost.url);
    try {
      const received: string[] = [];
      await transport.consume('channel-faults-b', { prefetch: 4 }, (delivery) => {
        received.push(delivery.message.messageId);
        void delivery.ack();
      });
      await transport.deploy({
        exchanges: [{ name: 'channel-faults.Gone', role: 'message-type', durable: true, autoDelete: false }],
        queues: [],
        bindings: [],
      });
      // Someone deletes the exchange; publishing to it makes the broker close the publishing channel.
      const channel = await admin.createChannel();
      await channel.deleteExchange('channel-faults.Gone');
      await assert.rejects(transport.publish('channel-faults.Gone', message('to-a-deleted-exchange')));

      await transport.send('channel-faults-b', message('after-the-channel-closed'));
      await waitUntil(() => received.includes('after-the-channel-closed'), 10_000);
      // The exchange is declared again for the next publish rather than failing forever.
      await transport.publish('channel-faults.Gone', message('to-the-exchange-again'));
      assert.equal(transport.health().state, 'connected');
    } finally {
      await admin.close();
      await transport.close();
    }
  });

  it('declares its queue again and goes on consuming after someone deletes the queue under it', async () => {
    const transport = new RabbitMqTransport({ url: vhost.url });
    await transport.start();
    const admin = await amqp.connect(vhost.url);
    try {
      const received: string[] = [];
      await transport.consume('channel-faults-c', { prefetch: 4 }, (delivery) => {
        received.push(delivery.message.messageId);
        void delivery.ack();
      });
      const channel = await admin.createChannel();
      // The broker cancels the consumer of a deleted queue.
      await channel.deleteQueue('channel-faults-c');
      // Until the consumer has declared its queue again, a send to it is returned as unroutable.
      await waitUntil(async () => {
        try {
          await transport.send('channel-faults-c', message('after-the-delete'));
          return true;
        } catch {
          return false;
        }
      }, 10_000);
      await waitUntil(() => received.includes('after-the-delete'), 10_000);
    } finally {
      await admin.close();
      await transport.close();
    }
  });
});

function message(messageId: string): TransportMessage {
  return { messageId, contentType: 'text/plain', body: Buffer.from(messageId), headers: {} };
}

function throughPort(url: string, port: number): string {
  const through = new URL(url);
  through.port = String(port);
  return through.toString();
}

/** A TCP proxy that can cut a connection at the moment its client opens a channel. */
async function startChannelOpenCutter(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let cutsLeft = 0;
  let cutsDone = 0;
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', (chunk: Buffer) => {
      if (cutsLeft > 0 && opensChannel(chunk)) {
        cutsLeft -= 1;
        cutsDone += 1;
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('The proxy did not get a TCP port');
  return {
    port: address.port,
    get cutsDone() {
      return cutsDone;
    },
    /** The next `count` channel opens, on any connection, cut their connection instead. */
    cutAtChannelOpen(count: number) {
      cutsLeft = count;
    },
    dropAll() {
      for (const socket of sockets) socket.destroy();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Whether a chunk from the client holds a channel.open method frame (class 20, method 10). */
function opensChannel(chunk: Buffer): boolean {
  for (let at = 0; at + 11 <= chunk.length; at++) {
    if (chunk[at] !== 1) continue;
    if (chunk.readUInt16BE(at + 7) === 20 && chunk.readUInt16BE(at + 9) === 10) return true;
  }
  return false;
}
