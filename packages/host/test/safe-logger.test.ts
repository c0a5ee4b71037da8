import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import pino from 'pino';
import { createSafeLogger, withSafeLogging } from '../src/logging/safe-logger.ts';

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
  }
});
