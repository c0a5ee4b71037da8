import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Bus, createBus, MemoryTransport, type TransportHealth } from '@switchyard/bus';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { transportReadiness } from '../src/runtime/host.ts';
import { createHttpServer } from '../src/server/http-server.ts';

/**
 * The in-memory transport, told to report what the RabbitMQ transport reports while its broker blocks
 * publishers (the broker's own alarm is raised for real in the RabbitMQ package's blocked-broker fault test).
 */
class BlockableTransport extends MemoryTransport {
  blockedReason: string | undefined;
  override health(): TransportHealth {
    const health = super.health();
    if (health.state !== 'connected' || this.blockedReason === undefined) return health;
    return { state: 'blocked', detail: `RabbitMQ blocked publishing: ${this.blockedReason}` };
  }
}

describe('readiness under a broker that blocks publishers', () => {
  let transport: BlockableTransport;
  let bus: Bus;
  let app: FastifyInstance;
  let base: string;

  before(async () => {
    transport = new BlockableTransport();
    bus = createBus({ transport, endpoints: [] });
    await bus.start();
    app = await createHttpServer({
      logger: pino({ enabled: false }),
      title: 'Test',
      version: '1.0.0',
      operations: { open: true },
      readiness: [transportReadiness(bus, transport.name)],
      routes: [],
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  after(async () => {
    await app?.close();
    await bus?.stop();
  });

  it('is ready while the transport is connected', async () => {
    assert.equal((await fetch(`${base}/health/ready`)).status, 200);
  });

  it('answers 503 saying the broker blocked publishers, and why', async () => {
    transport.blockedReason = 'low on memory';
    try {
      const answer = await fetch(`${base}/health/ready`);
      assert.equal(answer.status, 503);
      const problem = (await answer.json()) as {
        detail: string;
        checks: { name: string; ok: boolean; detail?: string }[];
      };
      assert.match(
        problem.detail,
        /transport \(memory is blocked: RabbitMQ blocked publishing: low on memory\)/,
      );
      assert.deepEqual(problem.checks, [
        {
          name: 'transport',
          ok: false,
          detail: 'memory is blocked: RabbitMQ blocked publishing: low on memory',
        },
      ]);
    } finally {
      transport.blockedReason = undefined;
    }
    assert.equal((await fetch(`${base}/health/ready`)).status, 200, 'ready again once the block lifts');
  });

  it('names a bus that is not running', async () => {
    const stopped = createBus({ transport: new MemoryTransport(), endpoints: [] });
    await assert.rejects(transportReadiness(stopped, 'memory').check(), /bus is stopped/);
  });
});
