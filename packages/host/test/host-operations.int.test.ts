import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { ConfigError, createHost, hostConfigSchema } from '../src/index.ts';
import { notesModule } from './support/notes-module.ts';

const token = 'host-operations-token-0123456789';

describe('a host and its operational endpoints', () => {
  it('with http.operationsToken, guards /metrics, /docs and /openapi.json, and the details of readiness', {
    timeout: 60_000,
  }, async () => {
    const config = hostConfigSchema.parse({
      http: { port: 0, operationsToken: token },
      database: { dataDir: 'memory' },
      seed: { demoData: false },
    });
    const host = createHost({ config, modules: [notesModule()], logger: pino({ enabled: false }) });
    const url = await host.start();
    try {
      const auth = { authorization: `Bearer ${token}` };
      for (const path of ['/metrics', '/openapi.json', '/docs/']) {
        const refused = await fetch(`${url}${path}`);
        assert.equal(refused.status, 401, path);
        assert.match(refused.headers.get('www-authenticate') ?? '', /^Bearer/);
        assert.equal((await fetch(`${url}${path}`, { headers: auth })).status, 200, path);
      }
      assert.equal((await fetch(`${url}/health/live`)).status, 200);
      assert.deepEqual(await (await fetch(`${url}/health/ready`)).json(), { status: 'ready' });
      const detailed = (await (await fetch(`${url}/health/ready`, { headers: auth })).json()) as {
        checks: { name: string }[];
      };
      assert.deepEqual(
        detailed.checks.map((each) => each.name),
        ['database', 'transport'],
      );
    } finally {
      await host.stop();
    }
  });

  it('on loopback without a token, serves them to anyone, as before', { timeout: 60_000 }, async () => {
    const config = hostConfigSchema.parse({
      http: { port: 0 },
      database: { dataDir: 'memory' },
      seed: { demoData: false },
    });
    const host = createHost({ config, modules: [notesModule()], logger: pino({ enabled: false }) });
    const url = await host.start();
    try {
      for (const path of ['/metrics', '/openapi.json', '/docs/', '/health/ready']) {
        assert.equal((await fetch(`${url}${path}`)).status, 200, path);
      }
    } finally {
      await host.stop();
    }
  });

  it('refuses to start beyond loopback without a token, even with a configuration built in code', async () => {
    const config = hostConfigSchema.parse({ database: { dataDir: 'memory' } });
    const unsafe = { ...config, http: { ...config.http, host: '0.0.0.0', port: 0 } };
    const host = createHost({ config: unsafe, modules: [notesModule()], logger: pino({ enabled: false }) });
    await assert.rejects(host.start(), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /http\.operationsToken .*beyond loopback/);
      return true;
    });
    assert.equal(host.url, undefined);
  });
});
