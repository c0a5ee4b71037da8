import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigurationError } from '@switchyard/bus';
import { z } from 'zod';
import { loadConfig } from '../src/config/load-config.ts';
import { configError, configFiles } from './support/config-files.ts';

const schema = z.strictObject({
  http: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.int().min(1).max(65535).default(3000),
    })
    .prefault({}),
  shutdown: z.strictObject({ deadlineMs: z.int().min(0).default(10_000) }).prefault({}),
  debug: z.boolean().default(false),
  name: z.string().default('yard'),
});

const { file, pathIn } = configFiles('switchyard-load-config-');

describe('loadConfig', () => {
  test('with no file and no variables, gives the schema defaults, each from "default"', () => {
    const { config, sourceOf } = loadConfig(schema, { env: {} });
    assert.deepEqual(config, {
      http: { host: '127.0.0.1', port: 3000 },
      shutdown: { deadlineMs: 10_000 },
      debug: false,
      name: 'yard',
    });
    assert.equal(sourceOf('http.port'), 'default');
    assert.equal(sourceOf('name'), 'default');
  });

  test('a JSON file overrides defaults and keeps the others', async () => {
    const path = await file('override.json', JSON.stringify({ http: { port: 8080 }, name: 'depot' }));
    const { config, sourceOf } = loadConfig(schema, { file: path, env: {} });
    assert.deepEqual(config.http, { host: '127.0.0.1', port: 8080 });
    assert.equal(config.name, 'depot');
    assert.equal(sourceOf('http.port'), `file ${path}`);
    assert.equal(sourceOf('http.host'), 'default');
  });

  test('a YAML file (.yaml or .yml) is read as YAML', async () => {
    for (const name of ['yard.yaml', 'yard.yml']) {
      const path = await file(name, '# comments are fine\nhttp:\n  port: 4000\nshutdown:\n  deadlineMs: 0\n');
      const { config, sourceOf } = loadConfig(schema, { file: path, env: {} });
      assert.equal(config.http.port, 4000);
      assert.equal(config.shutdown.deadlineMs, 0);
      assert.equal(sourceOf('shutdown.deadlineMs'), `file ${path}`);
    }
  });

  test('an empty YAML file sets nothing', async () => {
    const path = await file('empty.yaml', '');
    assert.equal(loadConfig(schema, { file: path, env: {} }).config.http.port, 3000);
  });

  test('environment variables override the file, converted to the number or boolean the schema expects', async () => {
    const path = await file('env-wins.yaml', 'http:\n  port: 4000\n  host: 0.0.0.0\n');
    const env = {
      SWITCHYARD_HTTP__PORT: '8080',
      SWITCHYARD_SHUTDOWN__DEADLINE_MS: '2500',
      SWITCHYARD_DEBUG: 'true',
      SWITCHYARD_NAME: '42',
    };
    const { config, sourceOf } = loadConfig(schema, { file: path, env });
    assert.deepEqual(config.http, { host: '0.0.0.0', port: 8080 });
    assert.equal(config.shutdown.deadlineMs, 2500);
    assert.equal(config.debug, true);
    assert.equal(config.name, '42', 'a string setting keeps a numeric-looking value as a string');
    assert.equal(sourceOf('http.port'), 'env SWITCHYARD_HTTP__PORT');
    assert.equal(sourceOf('shutdown.deadlineMs'), 'env SWITCHYARD_SHUTDOWN__DEADLINE_MS');
    assert.equal(sourceOf('http.host'), `file ${path}`);
  });

  test('an empty variable sets nothing, and unrelated variables are ignored', () => {
    const { config, sourceOf } = loadConfig(schema, { env: { SWITCHYARD_HTTP__PORT: '', HOME: '/root' } });
    assert.equal(config.http.port, 3000);
    assert.equal(sourceOf('http.port'), 'default');
  });

  test('envPrefix replaces SWITCHYARD_', () => {
    const { config, sourceOf } = loadConfig(schema, {
      env: { DEPOT_HTTP__PORT: '9000', SWITCHYARD_WHATEVER: 'x' },
      envPrefix: 'DEPOT_',
    });
    assert.equal(config.http.port, 9000);
    assert.equal(sourceOf('http.port'), 'env DEPOT_HTTP__PORT');
  });

  test('aliases set their path, and a prefixed variable for the same path wins', () => {
    const aliases = { PORT: 'http.port', APP_NAME: 'name' };
    const alone = loadConfig(schema, { env: { PORT: '5000', APP_NAME: 'depot' }, aliases });
    assert.equal(alone.config.http.port, 5000);
    assert.equal(alone.sourceOf('http.port'), 'env PORT');
    assert.equal(alone.sourceOf('name'), 'env APP_NAME');

    const both = loadConfig(schema, { env: { PORT: '5000', SWITCHYARD_HTTP__PORT: '6000' }, aliases });
    assert.equal(both.config.http.port, 6000);
    assert.equal(both.sourceOf('http.port'), 'env SWITCHYARD_HTTP__PORT');
  });

  test('an alias naming no setting is an error naming the alias', () => {
    const error = configError(() => loadConfig(schema, { env: {}, aliases: { PORT: 'http.prot' } }));
    assert.match(
      error.message,
      /^ {2}http\.prot \(from alias PORT\): is not a known setting; expected one of http\.host, http\.port$/m,
    );
  });

  test('sourceOf a section names every source below it', async () => {
    const path = await file('mixed.json', JSON.stringify({ http: { host: 'localhost' } }));
    const { sourceOf } = loadConfig(schema, { file: path, env: { SWITCHYARD_HTTP__PORT: '1' } });
    assert.equal(sourceOf('http'), `file ${path} and env SWITCHYARD_HTTP__PORT`);
    assert.equal(sourceOf('shutdown'), 'default');
  });

  test('an unknown key in the file is an error naming its path and the file', async () => {
    const path = await file('unknown.yaml', 'http:\n  prot: 8080\nextra: true\n');
    const error = configError(() => loadConfig(schema, { file: path, env: {} }));
    assert.ok(error instanceof ConfigurationError);
    assert.equal(error.code, 'CONFIGURATION');
    assert.ok(
      error.message.includes(
        `http.prot (from file ${path}): is not a known setting; expected one of http.host, http.port`,
      ),
      error.message,
    );
    assert.ok(error.message.includes(`extra (from file ${path}): is not a known setting`), error.message);
    assert.deepEqual(
      error.issues.map((issue) => [issue.path, issue.source]),
      [
        ['http.prot', `file ${path}`],
        ['extra', `file ${path}`],
      ],
    );
  });

  test('a prefixed variable naming no setting is an error naming the variable', () => {
    const error = configError(() => loadConfig(schema, { env: { SWITCHYARD_HTTP__PROT: '80' } }));
    assert.ok(
      error.message.includes(
        'http.prot (from env SWITCHYARD_HTTP__PROT): is not a known setting; ' +
          'expected one of SWITCHYARD_HTTP__HOST, SWITCHYARD_HTTP__PORT',
      ),
      error.message,
    );
  });

  test('a variable naming a section, not a value, is an error naming the variable', () => {
    const error = configError(() => loadConfig(schema, { env: { SWITCHYARD_SHUTDOWN: '5' } }));
    assert.ok(
      error.message.includes(
        'shutdown (from env SWITCHYARD_SHUTDOWN): is a section, not a value; set one of SWITCHYARD_SHUTDOWN__DEADLINE_MS',
      ),
      error.message,
    );
  });

  test('a variable that is not a number where one is expected is an error naming path, variable and value', () => {
    const error = configError(() => loadConfig(schema, { env: { SWITCHYARD_HTTP__PORT: 'eighty' } }));
    assert.equal(
      error.message,
      'Invalid configuration:\n  http.port (from env SWITCHYARD_HTTP__PORT): expected a number, got "eighty"',
    );
    assert.deepEqual(error.issues, [
      { path: 'http.port', source: 'env SWITCHYARD_HTTP__PORT', message: 'expected a number, got "eighty"' },
    ]);
  });

  test('a variable that is not a boolean where one is expected is an error', () => {
    const error = configError(() => loadConfig(schema, { env: { SWITCHYARD_DEBUG: 'maybe' } }));
    assert.ok(
      error.message.includes(
        'debug (from env SWITCHYARD_DEBUG): expected a boolean (true or false), got "maybe"',
      ),
      error.message,
    );
  });

  test('every problem is reported at once, one per line', async () => {
    const path = await file('several.yaml', 'http:\n  port: 70000\nshutdown:\n  deadlineMs: -1\nname: 7\n');
    const env = { SWITCHYARD_DEBUG: 'maybe', SWITCHYARD_NOPE: 'x' };
    const error = configError(() => loadConfig(schema, { file: path, env }));
    const lines = error.message.split('\n');
    assert.equal(lines[0], 'Invalid configuration:');
    assert.deepEqual(lines.slice(1).sort(), [
      `  debug (from env SWITCHYARD_DEBUG): expected a boolean (true or false), got "maybe"`,
      `  http.port (from file ${path}): expected a number of at most 65535, got 70000`,
      `  name (from file ${path}): expected a string, got 7`,
      `  nope (from env SWITCHYARD_NOPE): is not a known setting; expected one of SWITCHYARD_HTTP__*, SWITCHYARD_SHUTDOWN__*, SWITCHYARD_DEBUG, SWITCHYARD_NAME`,
      `  shutdown.deadlineMs (from file ${path}): expected a number of at least 0, got -1`,
    ]);
    assert.equal(error.issues.length, 5);
  });

  test('a missing file is an error naming the file, reported with the problems of the environment', () => {
    const path = pathIn('absent.yaml');
    const error = configError(() => loadConfig(schema, { file: path, env: { SWITCHYARD_HTTP__PORT: 'x' } }));
    assert.deepEqual(error.message.split('\n').slice(1), [
      `  file ${path}: cannot be read (no such file); check the path, or leave the file out`,
      '  http.port (from env SWITCHYARD_HTTP__PORT): expected a number, got "x"',
    ]);
  });

  test('a YAML syntax error names the file and the line', async () => {
    const path = await file('broken.yaml', 'http:\n  port: 8080\n  host: a: b\n');
    const error = configError(() => loadConfig(schema, { file: path, env: {} }));
    assert.deepEqual(error.message.split('\n').slice(1), [
      `  file ${path}: is not valid YAML at line 3, column 9: Nested mappings are not allowed in compact mappings`,
    ]);
  });

  test('a JSON syntax error names the file and the line V8 reports', async () => {
    const path = await file('broken.json', '{\n  "http": {\n    "port": 1\n    "host": "x"\n  }\n}\n');
    const error = configError(() => loadConfig(schema, { file: path, env: {} }));
    assert.match(error.message, new RegExp(`^ {2}file ${path}: is not valid JSON.*line 4`, 'm'));
  });

  test('a file that is not a mapping is an error naming the file', async () => {
    const path = await file('list.yaml', '- 1\n- 2\n');
    const error = configError(() => loadConfig(schema, { file: path, env: {} }));
    assert.ok(
      error.message.includes(`file ${path}: must hold a mapping of settings, got [1,2]`),
      error.message,
    );
  });

  test('a password in a rejected URL is hidden', () => {
    const urlSchema = z.strictObject({ url: z.url({ protocol: /^postgres$/ }).optional() });
    const error = configError(() =>
      loadConfig(urlSchema, { env: { SWITCHYARD_URL: 'mysql://app:s3cret@db/x' } }),
    );
    assert.ok(error.message.includes('url (from env SWITCHYARD_URL): '), error.message);
    assert.ok(error.message.includes('"mysql://app:***@db/x"'), error.message);
    assert.ok(!error.message.includes('s3cret'), error.message);
  });
});
