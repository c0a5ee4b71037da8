import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { type HostConfig, hostConfigSchema, loadHostConfig } from '../src/config/host-config.ts';
import { configError, configFiles } from './support/config-files.ts';

const { file } = configFiles('switchyard-host-config-');

describe('hostConfigSchema', () => {
  test('retry waits come as a list in a file and comma-separated in the environment; a bad entry is named', async () => {
    const { config, sourceOf } = loadHostConfig({
      env: { SWITCHYARD_BUS__RETRY__REDELIVERY_INTERVALS_MS: '2000, 10000' },
      file: await file('retry.json', JSON.stringify({ bus: { retry: { immediateIntervalsMs: [50] } } })),
    });
    assert.deepEqual(config.bus.retry, {
      immediateIntervalsMs: [50],
      redeliveryIntervalsMs: [2_000, 10_000],
    });
    assert.equal(
      sourceOf('bus.retry.redeliveryIntervalsMs'),
      'env SWITCHYARD_BUS__RETRY__REDELIVERY_INTERVALS_MS',
    );
    const error = configError(() =>
      loadHostConfig({ env: { SWITCHYARD_BUS__RETRY__REDELIVERY_INTERVALS_MS: '1000,soon' } }),
    );
    assert.match(error.message, /bus\.retry\.redeliveryIntervalsMs\.1/);
  });

  test('every setting has a default', () => {
    // env: {} keeps the machine's own DATABASE_URL, RABBITMQ_URL and PORT out of the test.
    const { config, sourceOf } = loadHostConfig({ env: {} });
    const expected: HostConfig = {
      http: {
        host: '127.0.0.1',
        port: 3000,
        operationsOpen: false,
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
        keepAliveTimeoutMs: 5_000,
        maxConnections: 1_024,
        bodyLimitBytes: 1_048_576,
      },
      // Relative to the project root (this repository's package.json names the app), made absolute.
      database: { dataDir: resolve(import.meta.dirname, '../../../data/pglite'), maxConnections: 10 },
      transport: { kind: 'postgres', confirmTimeoutMs: 15_000, unavailableTimeoutMs: 30_000 },
      profile: 'all',
      log: { level: 'info', format: 'auto' },
      bus: {
        inboxWindowMs: 7 * 24 * 3_600_000,
        handlerTimeoutMs: 30_000,
        retry: {
          immediateIntervalsMs: [100, 500],
          redeliveryIntervalsMs: [1_000, 5_000, 15_000, 30_000, 60_000],
        },
      },
      shutdown: { deadlineMs: 10_000 },
      seed: { demoData: true },
      slots: { reconcile: false, intervalMs: 2_000, stoppedAfterMs: 15_000 },
    };
    assert.deepEqual(config, expected);
    assert.equal(sourceOf('transport.kind'), 'default');
  });

  test('reads the slot from SWITCHYARD_SLOT, resolves the desired state file from the project root, and refuses what cannot work', () => {
    const { config } = loadHostConfig({
      env: { SWITCHYARD_SLOT: 'green', SWITCHYARD_SLOTS__DESIRED_STATE: 'deploy/slots.yaml' },
    });
    assert.equal(config.slot, 'green');
    assert.equal(config.slots.desiredState, resolve(import.meta.dirname, '../../../deploy/slots.yaml'));
    const badSlot = configError(() => loadHostConfig({ env: { SWITCHYARD_SLOT: 'Green Slot' } }));
    assert.match(badSlot.message, /slot.*expected a slot name/);
    const noState = configError(() =>
      loadHostConfig({ env: { SWITCHYARD_SLOTS__RECONCILE: 'true', RABBITMQ_URL: 'amqp://127.0.0.1' } }),
    );
    assert.match(noState.message, /slots\.desiredState.*required when slots\.reconcile is true/);
    const noBroker = configError(() =>
      loadHostConfig({
        env: { SWITCHYARD_SLOTS__RECONCILE: 'true', SWITCHYARD_SLOTS__DESIRED_STATE: 'postgres' },
      }),
    );
    assert.match(noBroker.message, /slots\.reconcile.*needs transport\.kind "rabbitmq"/);
  });

  test('refuses an inbox window shorter than the redelivery schedule, naming the path and the rule', () => {
    const error = configError(() =>
      loadHostConfig({
        env: {
          SWITCHYARD_BUS__INBOX_WINDOW_MS: '60000',
          SWITCHYARD_BUS__RETRY__REDELIVERY_INTERVALS_MS: '30000,60000',
        },
      }),
    );
    assert.match(error.message, /bus\.inboxWindowMs/);
    assert.match(error.message, /must be longer than the whole redelivery schedule/);
    const { config } = loadHostConfig({ env: { SWITCHYARD_BUS__INBOX_WINDOW_MS: '3600000' } });
    assert.equal(config.bus.inboxWindowMs, 3_600_000);
  });

  test('every setting and section has a description for the CLI', () => {
    const missing: string[] = [];
    const visit = (node: Record<string, unknown>, path: string) => {
      if (path !== '' && typeof node.description !== 'string') missing.push(path);
      const properties = (node.properties ?? {}) as Record<string, Record<string, unknown>>;
      for (const [key, child] of Object.entries(properties)) visit(child, path ? `${path}.${key}` : key);
    };
    visit(z.toJSONSchema(hostConfigSchema, { io: 'input' }) as Record<string, unknown>, '');
    assert.deepEqual(missing, []);
  });

  test('DATABASE_URL, RABBITMQ_URL and PORT set database.url, transport.url and http.port', () => {
    const env = {
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test',
      RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672',
      PORT: '0',
    };
    const { config, sourceOf } = loadHostConfig({ env });
    assert.equal(config.database.url, env.DATABASE_URL);
    assert.equal(config.transport.url, env.RABBITMQ_URL);
    assert.equal(config.http.port, 0, 'port 0 asks for any free port');
    assert.equal(sourceOf('database.url'), 'env DATABASE_URL');
    assert.equal(sourceOf('transport.url'), 'env RABBITMQ_URL');
    assert.equal(sourceOf('http.port'), 'env PORT');
  });

  test('SWITCHYARD_ variables reach camelCase keys and convert to numbers and booleans', () => {
    const env = {
      SWITCHYARD_SHUTDOWN__DEADLINE_MS: '2500',
      SWITCHYARD_BUS__HANDLER_TIMEOUT_MS: '5000',
      SWITCHYARD_DATABASE__MAX_CONNECTIONS: '4',
      SWITCHYARD_DATABASE__DATA_DIR: 'memory',
      SWITCHYARD_SEED__DEMO_DATA: 'false',
      SWITCHYARD_LOG__LEVEL: 'debug',
      SWITCHYARD_PROFILE: 'orders',
    };
    const { config, sourceOf } = loadHostConfig({ env });
    assert.equal(config.shutdown.deadlineMs, 2500);
    assert.equal(config.bus.handlerTimeoutMs, 5000);
    assert.equal(sourceOf('bus.handlerTimeoutMs'), 'env SWITCHYARD_BUS__HANDLER_TIMEOUT_MS');
    assert.equal(config.database.maxConnections, 4);
    assert.equal(config.database.dataDir, 'memory');
    assert.equal(config.seed.demoData, false);
    assert.equal(config.log.level, 'debug');
    assert.equal(config.profile, 'orders');
    assert.equal(sourceOf('seed.demoData'), 'env SWITCHYARD_SEED__DEMO_DATA');
  });

  test('the transport is rabbitmq when a url is set, unless the kind says otherwise', async () => {
    const url = 'amqps://broker.example:5671';
    assert.equal(loadHostConfig({ env: { RABBITMQ_URL: url } }).config.transport.kind, 'rabbitmq');

    const path = await file('postgres-transport.yaml', `transport:\n  kind: postgres\n  url: ${url}\n`);
    const { config, sourceOf } = loadHostConfig({ file: path, env: {} });
    assert.deepEqual(config.transport, {
      kind: 'postgres',
      url,
      confirmTimeoutMs: 15_000,
      unavailableTimeoutMs: 30_000,
    });
    assert.equal(sourceOf('transport.kind'), `file ${path}`);
  });

  test('kind rabbitmq without a url is an error naming transport.url', async () => {
    const path = await file('rabbit-without-url.yaml', 'transport:\n  kind: rabbitmq\n');
    const error = configError(() => loadHostConfig({ file: path, env: {} }));
    assert.deepEqual(error.issues, [
      {
        path: 'transport.url',
        source: 'default',
        message:
          'is required when transport.kind is "rabbitmq": give an amqp:// URL (RABBITMQ_URL or ' +
          'SWITCHYARD_TRANSPORT__URL), or set transport.kind to "postgres"',
      },
    ]);
    assert.match(
      error.message,
      /^ {2}transport\.url \(from default\): is required when transport\.kind is "rabbitmq"/m,
    );
  });

  test('kind rabbitmq without a url is reported alongside other transport problems', async () => {
    const env = { SWITCHYARD_TRANSPORT__KIND: 'rabbitmq', SWITCHYARD_TRANSPORT__URL: '' };
    const path = await file('bad-transport.yaml', 'transport:\n  kind: rabbitmq\n  vhost: /\n');
    const error = configError(() => loadHostConfig({ file: path, env }));
    assert.deepEqual(
      error.issues.map((issue) => `${issue.path} (from ${issue.source})`),
      [`transport.vhost (from file ${path})`, 'transport.url (from default)'],
    );
  });

  test('URLs must use the postgres and amqp schemes', async () => {
    const path = await file('yard.yaml', 'database:\n  url: mysql://x\n');
    const error = configError(() =>
      loadHostConfig({ file: path, env: { RABBITMQ_URL: 'http://guest:guest@broker' } }),
    );
    assert.deepEqual(error.message.split('\n'), [
      'Invalid configuration:',
      `  database.url (from file ${path}): expected a postgres:// or postgresql:// URL, got "mysql://x"`,
      '  transport.url (from env RABBITMQ_URL): expected an amqp:// or amqps:// URL, got "http://guest:***@broker"',
    ]);
  });

  test('integers and enums state their whole rule', () => {
    const env = {
      SWITCHYARD_HTTP__PORT: 'eighty',
      SWITCHYARD_DATABASE__MAX_CONNECTIONS: '0',
      SWITCHYARD_SHUTDOWN__DEADLINE_MS: '1.5',
      SWITCHYARD_LOG__LEVEL: 'loud',
      SWITCHYARD_BUS__HANDLER_TIMEOUT_MS: '0',
    };
    const error = configError(() => loadHostConfig({ env }));
    assert.deepEqual(error.message.split('\n').slice(1), [
      '  http.port (from env SWITCHYARD_HTTP__PORT): expected an integer from 0 to 65535, got "eighty"',
      '  database.maxConnections (from env SWITCHYARD_DATABASE__MAX_CONNECTIONS): expected an integer of at least 1, got 0',
      '  log.level (from env SWITCHYARD_LOG__LEVEL): expected one of "fatal", "error", "warn", "info", "debug", "trace", "silent", got "loud"',
      '  bus.handlerTimeoutMs (from env SWITCHYARD_BUS__HANDLER_TIMEOUT_MS): expected an integer from 1 to 2147483647, got 0',
      '  shutdown.deadlineMs (from env SWITCHYARD_SHUTDOWN__DEADLINE_MS): expected an integer of at least 0, got 1.5',
    ]);
  });

  test('unknown sections in the file and unknown SWITCHYARD_ variables are errors', async () => {
    const path = await file('unknown.json', JSON.stringify({ htpp: { port: 1 } }));
    const error = configError(() => loadHostConfig({ file: path, env: { SWITCHYARD_DATABASE__URI: 'x' } }));
    assert.deepEqual(
      error.issues.map((issue) => `${issue.path} (from ${issue.source})`),
      ['database.uri (from env SWITCHYARD_DATABASE__URI)', `htpp (from file ${path})`],
    );
  });

  test('options replace the default aliases', () => {
    const { config, sourceOf } = loadHostConfig({
      env: { PORT: '1234', WEB_PORT: '4321' },
      aliases: { WEB_PORT: 'http.port' },
    });
    assert.equal(config.http.port, 4321);
    assert.equal(sourceOf('http.port'), 'env WEB_PORT');
  });
});
