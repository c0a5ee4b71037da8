import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createHostLogger } from '../src/index.ts';

/** Passwords of 8 to 26 characters, with characters a URL's userinfo may hold unescaped (but no separator, which ends an unquoted value in free text). */
const password = fc
  .array(
    fc.oneof(
      fc.constantFrom('-', '_', '.', '~', '!', '$', '*', '+'),
      fc.string({
        unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'),
        minLength: 1,
        maxLength: 1,
      }),
    ),
    { minLength: 6, maxLength: 24 },
  )
  .map((parts) => `Z${parts.join('')}Q`);

/** Whether `secret`, or a 6-character piece of it, shows in `text`. */
function leaks(text: string, secret: string): boolean {
  for (let at = 0; at + 6 <= secret.length; at++) if (text.includes(secret.slice(at, at + 6))) return true;
  return false;
}

/** Where a secret can stand in a log entry: its fields and message. */
const placements: readonly ((secret: string) => [object, string])[] = [
  (secret: string) => [
    { err: new Error(`connect failed: postgres://app:${secret}@db:5432/x`) },
    'Start failed',
  ],
  (secret: string) => [{ database: `amqps://app:${secret}@mq:5671/v` }, 'Using RabbitMQ'],
  (secret: string) => [{ settings: { password: secret, token: secret } }, 'settings'],
  (secret: string) => [{ password: secret, operationsToken: secret }, 'settings'],
  (secret: string) => [{}, `broker said: password=${secret}, try again`],
  (secret: string) => [{ banner: true, database: `PostgreSQL postgres://u:${secret}@h/d` }, 'Up'],
  (secret: string) => [
    { reqId: 'r', req: { method: 'GET', url: `/x?access_token=${secret}&page=2`, headers: {} } },
    'incoming request',
  ],
  (secret: string) => [{ headers: { authorization: `Bearer ${secret}`, cookie: `s=${secret}` } }, 'headers'],
  // A caller's own text: the message, and fields of any name, nested or in a list.
  (secret: string) => [{}, `could not connect to postgres://app:${secret}@db/x`],
  (secret: string) => [{ detail: `amqp://guest:${secret}@broker`, reason: `password=${secret}` }, 'x'],
  (secret: string) => [{ attempt: { tried: [`postgres://a:${secret}@h/db`] } }, 'retrying'],
];

describe('log lines, readable or JSON, for any password anywhere in an entry', () => {
  it('never show the password, in either format, in colour or not', () => {
    fc.assert(
      fc.property(
        password,
        fc.subarray([...placements.keys()], { minLength: 1 }),
        fc.boolean(),
        fc.constantFrom('pretty' as const, 'json' as const),
        (secret, chosen, colour, format) => {
          let text = '';
          const out = {
            isTTY: format === 'pretty',
            write(chunk: string) {
              text += chunk;
              return true;
            },
          };
          const logger = createHostLogger({ level: 'info', format }, out, colour ? {} : { NO_COLOR: '1' });
          for (const index of chosen) {
            const [fields, message] = placements[index]?.(secret) ?? [{}, ''];
            logger.info(fields, message);
          }
          logger.info({ reqId: 'r', res: { statusCode: 200 }, responseTime: 1 }, 'request completed');
          assert.ok(!leaks(text, secret), text);
          const jsonLines = text.split('\n').filter((line) => line.startsWith('{')).length;
          assert.equal(jsonLines, format === 'json' ? chosen.length + 1 : 0, text);
        },
      ),
      { numRuns: 300 },
    );
  });
});
