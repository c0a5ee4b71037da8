import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { loadHostConfig } from '../src/config/host-config.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { configError, configFiles } from './support/config-files.ts';

const { file } = configFiles('switchyard-config-secrets-');

const urlSchema = z.strictObject({ url: z.url({ protocol: /^postgres$/ }).optional() });

/** The message of the ConfigError that loading `url` from the environment gives. */
const rejected = (url: string) =>
  configError(() => loadConfig(urlSchema, { env: { SWITCHYARD_URL: url } })).message;

describe('configuration errors never show a secret', () => {
  test('a password in a URL that does not parse is hidden, and so is everything up to the last @', () => {
    for (const url of [
      'mysql://app:p@ss:w0rd@db/x',
      'mysql://app:pa ss w0rd@db/x',
      'mysql://app:pa/ss#w0rd@db:5432/x',
      'postgres://app:pass%w0rd@db:99999/x',
    ]) {
      const message = rejected(url);
      assert.ok(message.includes('url (from env SWITCHYARD_URL): '), message);
      for (const piece of ['ss:w0rd', 'ss w0rd', 'ss#w0rd', 'ss%w0rd', 'w0rd']) {
        assert.ok(!message.includes(piece), `${url} showed ${piece}: ${message}`);
      }
    }
  });

  test('a password, sslpassword or sslkey query parameter is hidden', () => {
    const message = rejected('mysql://db/x?password=s3cret-a&sslpassword=s3cret-b&sslkey=s3cret-c');
    assert.ok(!/s3cret/.test(message), message);
    assert.ok(message.includes('password=***'), message);
  });

  test('a file that is not valid JSON is described by position, without its text', async () => {
    const path = await file('broken.json', '{"database": {"password": s3cret-unquoted}}');
    const message = configError(() => loadHostConfig({ file: path, env: {} })).message;
    assert.match(message, /is not valid JSON/);
    assert.ok(!message.includes('s3cret'), message);
  });

  test('a file that is not valid YAML does not echo a secret', async () => {
    const path = await file('broken.yaml', 'database:\n  url: postgres://app:s3cret-yaml@db/x\n   bad: [\n');
    const message = configError(() => loadHostConfig({ file: path, env: {} })).message;
    assert.match(message, /is not valid YAML/);
    assert.ok(!message.includes('s3cret'), message);
  });

  test('the value of a setting named like a token or password is never shown', () => {
    const schema = z.strictObject({
      operationsToken: z.string().min(16).optional(),
      nested: z.strictObject({ password: z.string().min(16).optional() }).prefault({}),
    });
    const message = configError(() =>
      loadConfig(schema, {
        env: { SWITCHYARD_OPERATIONS_TOKEN: 'short-s3cret', SWITCHYARD_NESTED__PASSWORD: 'tiny-s3cret' },
      }),
    ).message;
    assert.match(message, /operationsToken \(from env SWITCHYARD_OPERATIONS_TOKEN\): .*hidden/);
    assert.match(message, /nested\.password \(from env SWITCHYARD_NESTED__PASSWORD\): .*hidden/);
    assert.ok(!message.includes('s3cret'), message);
  });

  test('a secret in a value given where a section or a number goes is hidden', async () => {
    const path = await file(
      'wrong-shape.json',
      JSON.stringify({
        database: { url: { password: 's3cret-in-object' } },
        http: { port: 'postgres://u:s3cret@x' },
      }),
    );
    const message = configError(() => loadHostConfig({ file: path, env: {} })).message;
    assert.ok(!message.includes('s3cret'), message);
  });
});
