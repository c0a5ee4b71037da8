import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { createHttpServer, type PrometheusMetrics, startPrometheusMetrics } from '../src/index.ts';

const token = 'operations-token-for-tests-0123456789';

/** A server guarded by a token, with a readiness check that fails with a driver-like message. */
describe('the operational endpoints, with an operations token', () => {
  let app: FastifyInstance;
  let base: string;
  let prometheus: PrometheusMetrics;
  let databaseUp = true;

  before(async () => {
    prometheus = startPrometheusMetrics('operations-auth-test');
    app = await createHttpServer({
      logger: pino({ enabled: false }),
      title: 'Test',
      version: '1.0.0',
      metrics: prometheus,
      operations: { token },
      readiness: [
        {
          name: 'database',
          check: async () => {
            if (!databaseUp) throw new Error('connect to postgres://app:s3cret@db:5432/x refused');
          },
        },
      ],
      routes: [],
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  after(async () => {
    await app.close();
    await prometheus.shutdown();
  });

  const bearer = (value: string) => ({ authorization: `Bearer ${value}` });

  for (const path of [
    '/metrics',
    '/openapi.json',
    '/docs',
    '/docs/',
    '/docs/json',
    '/docs/static/index.html',
  ]) {
    it(`refuses ${path} without the token: 401 problem+json with WWW-Authenticate: Bearer`, async () => {
      for (const headers of [{}, bearer('wrong-token-0123456789abcdef'), { authorization: token }]) {
        const response = await fetch(`${base}${path}`, { headers, redirect: 'manual' });
        assert.equal(response.status, 401, `${path} with ${JSON.stringify(headers)}`);
        assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer\b/);
        assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
        const problem = (await response.json()) as { title: string; detail: string };
        assert.equal(problem.title, 'Unauthorized');
        assert.ok(!problem.detail.includes(token));
      }
    });
  }

  it('refuses a path spelled another way that reaches /metrics', async () => {
    const response = await fetch(`${base}/%6detrics`);
    assert.notEqual(response.status, 200);
  });

  it('serves them with the token', async () => {
    assert.equal((await fetch(`${base}/metrics`, { headers: bearer(token) })).status, 200);
    assert.equal((await fetch(`${base}/openapi.json`, { headers: bearer(token) })).status, 200);
    assert.equal((await fetch(`${base}/docs/`, { headers: bearer(token) })).status, 200);
  });

  it('keeps liveness open, and readiness status open without its details', async () => {
    assert.equal((await fetch(`${base}/health/live`)).status, 200);
    const ready = await fetch(`${base}/health/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready' });
    databaseUp = false;
    try {
      const down = await fetch(`${base}/health/ready`);
      assert.equal(down.status, 503);
      const text = await down.text();
      assert.doesNotMatch(text, /database|s3cret|refused/);
      const detailed = await fetch(`${base}/health/ready`, { headers: bearer(token) });
      assert.equal(detailed.status, 503);
      const problem = (await detailed.json()) as { detail: string };
      assert.match(problem.detail, /database \(connect to postgres:\/\/app:\*\*\*@db:5432\/x refused\)/);
      assert.doesNotMatch(JSON.stringify(problem), /s3cret/);
    } finally {
      databaseUp = true;
    }
  });
});

describe('the request log of the HTTP server', () => {
  it('shows no token from a header or a query string, even at trace level', async () => {
    let logged = '';
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logged += String(chunk);
        done();
      },
    });
    const app = await createHttpServer({
      logger: pino({ level: 'trace' }, stream),
      title: 'Test',
      version: '1.0.0',
      operations: { token },
      readiness: [],
      routes: [],
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const address = app.server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      await fetch(`${base}/metrics?access_token=s3cret-query&page=2`, {
        headers: { authorization: `Bearer ${token}`, cookie: 'session=s3cret-cookie' },
      });
      await fetch(`${base}/nowhere?password=s3cret-password`);
    } finally {
      await app.close();
    }
    assert.match(logged, /incoming request/);
    assert.match(logged, /page=2/);
    assert.ok(!logged.includes(token), logged);
    assert.ok(!logged.includes('s3cret'), logged);
  });
});
