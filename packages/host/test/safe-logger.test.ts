import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { bounded, redactSecrets } from '@switchyard/bus';
import fc from 'fast-check';
import pino from 'pino';
import { createSafeLogger, scrubLoggedText, withSafeLogging } from '../src/logging/safe-logger.ts';

/** A pino destination that keeps every line written. */
function capture(): { stream: Writable; text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

/** The TypeError Node throws for a URL it cannot parse: it carries the whole URL as `input`. */
function invalidUrlError(url: string): Error {
  try {
    new URL(url);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`${url} parsed`);
}

describe('the host logger', () => {
  for (const [name, make] of [
    ['made by the host', (stream: Writable) => createSafeLogger('info', stream)],
    ['of the application, wrapped', (stream: Writable) => withSafeLogging(pino({ level: 'info' }, stream))],
  ] as const) {
    it(`${name}, never writes a secret from an error, a header or a setting`, () => {
      const out = capture();
      const logger = make(out.stream);
      const driverError = new Error(
        'could not connect to postgres://app:s3cret-a@db:5432/x?sslpassword=s3cret-b',
      );
      logger.error({ err: driverError }, 'Start failed');
      logger.error({ err: invalidUrlError('postgres://app:s3cret-c @db:99999/x') }, 'Bad URL');
      logger.error({ err: invalidUrlError('host=db password=s3cret-d') }, 'Bad URL');
      const withCause = new Error('outer', { cause: new Error('amqp://guest:s3cret-e@broker refused') });
      logger.error({ err: withCause }, 'Caused');
      logger.info(
        { req: { method: 'GET', url: '/orders?token=s3cret-f&page=2', headers: {} } },
        'incoming request',
      );
      logger.info({ headers: { authorization: 'Bearer s3cret-g', cookie: 'session=s3cret-h' } }, 'headers');
      logger.info({ http: { operationsToken: 's3cret-i' }, password: 's3cret-j' }, 'settings');
      logger.warn({ err: new Error('login failed: password=s3cret-k, Bearer s3cret-l') }, 'x');
      const text = out.text();
      assert.ok(!/s3cret/.test(text), text);
      assert.match(text, /postgres:\/\/app:\*\*\*@db:5432\/x/, 'what is not secret stays, for diagnosis');
      assert.match(text, /page=2/);
    });

    it(`${name}, hides secrets in the message and in string fields of any name, as JSON`, () => {
      const out = capture();
      const logger = make(out.stream);
      const fields = {
        detail: 'amqp://guest:s3cret-m@broker',
        reason: 'password=s3cret-n',
        attempts: [{ url: 'postgres://a:s3cret-o@h/db' }],
        count: 3,
      };
      const before = structuredClone(fields);
      logger.warn('could not connect to postgres://app:s3cret-p@db/x');
      logger.warn(fields, 'retrying with Bearer S3cretTokenQ1');
      logger.info({ note: 'nothing to hide here' }, 'plain text stays as written');
      const text = out.text();
      assert.ok(!/s3cret/i.test(text), text);
      const [first, second, third] = text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.equal(first?.msg, 'could not connect to postgres://app:***@db/x');
      assert.equal(second?.detail, 'amqp://guest:***@broker');
      assert.equal(second?.reason, 'password=***');
      assert.deepEqual(second?.attempts, [{ url: 'postgres://a:***@h/db' }]);
      assert.equal(second?.count, 3);
      assert.equal(second?.msg, 'retrying with Bearer ***');
      assert.equal(third?.note, 'nothing to hide here');
      assert.equal(third?.msg, 'plain text stays as written');
      assert.deepEqual(fields, before, "the caller's object is not changed");
    });
  }

  it("keeps an application's own log formatter and message serializer, then hides secrets", () => {
    const out = capture();
    const logger = withSafeLogging(
      pino(
        {
          level: 'info',
          formatters: { log: (fields) => ({ ...fields, app: 'dairy' }) },
          serializers: { msg: (message: unknown) => `[dairy] ${String(message)}` },
        },
        out.stream,
      ),
    );
    logger.info({ url: 'postgres://a:s3cret-r@h/db' }, 'using postgres://a:s3cret-s@h/db');
    const line = JSON.parse(out.text()) as Record<string, unknown>;
    assert.equal(line.app, 'dairy');
    assert.equal(line.url, 'postgres://a:***@h/db');
    assert.equal(line.msg, '[dairy] using postgres://a:***@h/db');
  });
});

/** Pieces of text that do and do not hold what `redactSecrets` hides, for the shortcut's property. */
const textPiece = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    'postgres://app:pw@db/x',
    'http://h/x?token=t1&page=2',
    'amqps://u:p@mq',
    '://',
    'password=',
    'Password: ',
    'pwd=',
    'client_secret=',
    'API-KEY=',
    'apikey: ',
    'sslkey=',
    'Bearer ',
    'BASIC ',
    'bearer token',
    'AbCdEf0123456789',
    '=',
    ':',
    ' ',
    '"',
    '\n',
    '@',
  ),
);

describe('the shortcut past redaction', () => {
  it('leaves text as redactSecrets would: skipping the search changes nothing it would hide', () => {
    fc.assert(
      fc.property(fc.array(textPiece, { maxLength: 8 }), (pieces) => {
        const text = pieces.join('');
        assert.equal(scrubLoggedText(text), redactSecrets(bounded(text, 8_000)));
      }),
      { numRuns: 2_000 },
    );
  });
});
