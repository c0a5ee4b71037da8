import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { loadHostConfig } from '../src/config/host-config.ts';
import { configError } from './support/config-files.ts';

/** Passwords of 8 to 24 characters, with the ones that break URLs: @ : / ? # % space and quotes. */
const password = fc
  .array(
    fc.oneof(
      fc.constantFrom('@', ':', '/', '?', '#', '%', ' ', '&', '=', '"', "'", '\\'),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
    ),
    { minLength: 6, maxLength: 22 },
  )
  .map((parts) => `Z${parts.join('')}Q`);

/** Whether `secret`, or a 6-character piece of it, shows in `text`. */
function leaks(text: string, secret: string): boolean {
  for (let at = 0; at + 6 <= secret.length; at++) if (text.includes(secret.slice(at, at + 6))) return true;
  return false;
}

describe('a rejected configuration, for any password in any URL shape', () => {
  it('never shows the password in the error message', () => {
    fc.assert(
      fc.property(
        password,
        fc.constantFrom('mysql', 'http', 'postgres', 'amqp', 'redis'),
        fc.constantFrom(
          'DATABASE_URL',
          'RABBITMQ_URL',
          'SWITCHYARD_DATABASE__URL',
          'SWITCHYARD_TRANSPORT__URL',
        ),
        fc.constantFrom('userinfo', 'query', 'sslpassword', 'bare'),
        fc.boolean(),
        (secret, scheme, variable, where, encoded) => {
          const shown = encoded ? encodeURIComponent(secret) : secret;
          const url =
            where === 'userinfo'
              ? `${scheme}://app:${shown}@db:5432/x`
              : where === 'query'
                ? `${scheme}://db:5432/x?password=${shown}`
                : where === 'sslpassword'
                  ? `${scheme}://db/x?sslmode=require&sslpassword=${shown}`
                  : `${scheme}://app:${shown}@db:99999/x`;
          let message = '';
          try {
            // A port out of range, or the wrong scheme, makes sure most cases are rejected.
            loadHostConfig({ env: { [variable]: url, SWITCHYARD_HTTP__PORT: 'eighty' } });
          } catch {
            message = configError(() =>
              loadHostConfig({ env: { [variable]: url, SWITCHYARD_HTTP__PORT: 'eighty' } }),
            ).message;
          }
          // After an unencoded & or #, the rest is no longer the parameter's value as a reader sees it.
          const readSecret =
            where === 'userinfo' || where === 'bare' ? shown : (shown.split(/[&#]/)[0] ?? '');
          assert.ok(!leaks(message, readSecret), `${url} gave:\n${message}`);
        },
      ),
      { numRuns: 400 },
    );
  });
});
