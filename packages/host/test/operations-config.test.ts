import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hostConfigSchema, loadHostConfig } from '../src/config/host-config.ts';
import { configError } from './support/config-files.ts';

const token = 'a-long-operations-token-0123456789';

describe('access to the operational endpoints, in the host configuration', () => {
  test('on loopback nothing needs setting, as before', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1']) {
      const { config } = loadHostConfig({ env: { SWITCHYARD_HTTP__HOST: host } });
      assert.equal(config.http.operationsToken, undefined);
      assert.equal(config.http.operationsOpen, false);
    }
  });

  test('beyond loopback without a token or operationsOpen, start-up is refused naming the path and the rule', () => {
    for (const host of ['0.0.0.0', '::', '10.1.2.3', 'milkround.internal']) {
      const error = configError(() => loadHostConfig({ env: { SWITCHYARD_HTTP__HOST: host } }));
      assert.deepEqual(
        error.issues.map((issue) => issue.path),
        ['http.operationsToken'],
      );
      assert.match(error.message, /http\.operationsToken .*beyond loopback/);
      assert.match(error.message, /SWITCHYARD_OPERATIONS_TOKEN/);
      assert.match(error.message, /http\.operationsOpen/);
      assert.ok(error.message.includes(host), error.message);
    }
  });

  test('beyond loopback a token from SWITCHYARD_OPERATIONS_TOKEN or the file, or operationsOpen, is enough', () => {
    const fromAlias = loadHostConfig({
      env: { SWITCHYARD_HTTP__HOST: '0.0.0.0', SWITCHYARD_OPERATIONS_TOKEN: token },
    });
    assert.equal(fromAlias.config.http.operationsToken, token);
    assert.equal(fromAlias.sourceOf('http.operationsToken'), 'env SWITCHYARD_OPERATIONS_TOKEN');
    const fromPath = loadHostConfig({
      env: { SWITCHYARD_HTTP__HOST: '0.0.0.0', SWITCHYARD_HTTP__OPERATIONS_TOKEN: token },
    });
    assert.equal(fromPath.config.http.operationsToken, token);
    const open = loadHostConfig({
      env: { SWITCHYARD_HTTP__HOST: '0.0.0.0', SWITCHYARD_HTTP__OPERATIONS_OPEN: 'true' },
    });
    assert.equal(open.config.http.operationsOpen, true);
  });

  test('a short token is refused without showing it, and so is a token together with operationsOpen', () => {
    const short = configError(() => loadHostConfig({ env: { SWITCHYARD_OPERATIONS_TOKEN: 'tiny-s3cret' } }));
    assert.match(
      short.message,
      /http\.operationsToken \(from env SWITCHYARD_OPERATIONS_TOKEN\): .*at least 16/,
    );
    assert.ok(!short.message.includes('tiny-s3cret'), short.message);
    const both = configError(() =>
      loadHostConfig({
        env: { SWITCHYARD_OPERATIONS_TOKEN: token, SWITCHYARD_HTTP__OPERATIONS_OPEN: 'yes' },
      }),
    );
    assert.match(both.message, /choose one/);
    assert.ok(!both.message.includes(token), both.message);
  });

  test('the schema describes both settings', () => {
    const http = hostConfigSchema.shape.http.unwrap();
    assert.match(http.shape.operationsToken.description ?? '', /bearer token/i);
    assert.match(http.shape.operationsOpen.description ?? '', /on purpose/i);
  });
});
