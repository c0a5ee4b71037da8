import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { z } from 'zod';
import { createHttpServer, route } from '../src/index.ts';

// What the host answers before any route runs, and what bounds a client: every refusal is problem+json,
// whichever layer made it, and a slow or greedy client cannot hold the process.

const lines: Record<string, unknown>[] = [];
const logs = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});

/** Sends raw bytes and resolves with what the server wrote back before it closed, or after `waitMs`. */
function raw(port: number, bytes: string, waitMs = 3_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(received);
    }, waitMs);
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on('error', reject);
    socket.write(bytes);
  });
}

function problemOf(response: string): { status: number; contentType: string; body: Record<string, unknown> } {
  const [head = '', body = ''] = response.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  const contentType = /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? '';
  return { status, contentType, body: JSON.parse(body) as Record<string, unknown> };
}

describe('the host HTTP edge, before and around the routes', () => {
  let app: FastifyInstance;
  let port: number;

  before(async () => {
    app = await createHttpServer({
      logger: pino({ level: 'info' }, logs),
      title: 'Test',
      version: '1.0.0',
      readiness: [],
      limits: {
        headersTimeoutMs: 1_000,
        requestTimeoutMs: 2_000,
        keepAliveTimeoutMs: 1_000,
        maxConnections: 20,
        bodyLimitBytes: 2_048,
      },
      routes: [
        route({
          method: 'GET',
          url: '/orders/:orderId',
          summary: 'An order',
          params: z.object({ orderId: z.string().min(1) }),
          responses: { 200: { description: 'The order', schema: z.object({ orderId: z.string() }) } },
          handler: ({ params }) => ({ status: 200, body: { orderId: params.orderId } }),
        }),
        route({
          method: 'POST',
          url: '/notes',
          summary: 'A note',
          body: z.object({ text: z.string() }),
          responses: { 201: { description: 'Kept', schema: z.object({ length: z.number() }) } },
          handler: ({ body }) => ({ status: 201, body: { length: body.text.length } }),
        }),
      ],
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  after(() => app?.close());

  it('answers a path that does not decode, and a parameter over its length limit, with problem+json', async () => {
    for (const path of ['/orders/%ZZ', '/orders/%ED%A0%80', `/orders/${'a'.repeat(101)}`]) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/, path);
      const problem = (await response.json()) as { status: number; title: string; detail: string };
      assert.equal(problem.status, response.status, path);
      assert.ok(response.status === 400 || response.status === 414, `${path}: ${response.status}`);
      assert.doesNotMatch(problem.detail, /FST_ERR/, 'in words, not the framework’s code');
    }
  });

  it('refuses NUL characters and unpaired surrogates anywhere in a request with a 400 naming the field', async () => {
    const inPath = await fetch(`http://127.0.0.1:${port}/orders/a%00b`);
    assert.equal(inPath.status, 400);
    assert.match(JSON.stringify(await inPath.json()), /params\.orderId/);
    const inBody = await fetch(`http://127.0.0.1:${port}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":"a\\ud800b"}',
    });
    assert.equal(inBody.status, 400);
    assert.match(JSON.stringify(await inBody.json()), /body\.text.*unpaired surrogates/);
  });

  it('answers headers that are too large with a 431 problem+json', async () => {
    const response = await raw(
      port,
      `GET /orders/o-1 HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
    );
    const problem = problemOf(response);
    assert.equal(problem.status, 431);
    assert.match(problem.contentType, /^application\/problem\+json/);
    assert.equal(problem.body.status, 431);
  });

  it('answers a body over the limit with a 413 problem+json', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(5_000) }),
    });
    assert.equal(response.status, 413);
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  });

  it('makes its own request id, and keeps the client’s beside it in the log', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/orders/o-7`, {
      headers: { 'x-request-id': 'mine-123' },
    });
    const ours = response.headers.get('x-request-id') ?? '';
    assert.match(ours, /^[0-9a-f-]{36}$/, 'a UUID of ours, not the client’s');
    const logged = lines.find((line) => line.reqId === ours && line.clientRequestId === 'mine-123');
    assert.ok(logged, 'the client’s id is logged as clientRequestId beside ours');
    assert.ok(!lines.some((line) => line.reqId === 'mine-123'), 'never as our request id');
  });

  it('disconnects clients that trickle their headers, within the headers timeout', async () => {
    const started = Date.now();
    const sockets: Socket[] = [];
    const closed = Array.from(
      { length: 10 },
      () =>
        new Promise<number>((resolve) => {
          const socket = connect(port, '127.0.0.1');
          sockets.push(socket);
          socket.on('error', () => {});
          socket.on('close', () => resolve(Date.now() - started));
          socket.write('GET /orders/o-1 HTTP/1.1\r\nHost: x\r\n');
          const drip = setInterval(() => {
            if (socket.writable) socket.write('X-Slow: 1\r\n');
          }, 300);
          socket.on('close', () => clearInterval(drip));
        }),
    );
    const after = await Promise.all(closed);
    for (const ms of after)
      assert.ok(ms < 4_000, `a slow client was cut after ${ms} ms (headers timeout 1 s)`);
    for (const socket of sockets) socket.destroy();
  });

  it('serves no more connections at once than its limit', async () => {
    const held: Socket[] = [];
    try {
      for (let index = 0; index < 20; index += 1) {
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => {});
        held.push(socket);
        await new Promise((resolve) => socket.once('connect', resolve));
      }
      // The 21st is closed by the server straight away.
      const extra = await raw(port, 'GET /orders/o-1 HTTP/1.1\r\nHost: x\r\n\r\n', 1_500);
      assert.equal(extra, '', 'the connection over the limit got no answer: it was closed');
    } finally {
      for (const socket of held) socket.destroy();
    }
  });
});
