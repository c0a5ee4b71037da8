import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactUrl } from '@switchyard/bus';
import fc from 'fast-check';

/** Secrets of 8 or more characters, with the characters that break URL parsing: @ : / ? # % space. */
const secret = fc
  .array(
    fc.oneof(
      fc.constantFrom('@', ':', '/', '?', '#', '%', ' ', '&', '=', '+', "'", '"', '\\', '[', ']'),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    ),
    { minLength: 8, maxLength: 24 },
  )
  .map((parts) => `Z${parts.join('')}Q`);

const scheme = fc.constantFrom('postgres', 'postgresql', 'amqp', 'amqps', 'http', 'https', 'redis');
const user = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,11}$/);
const host = fc.constantFrom('db', '127.0.0.1', 'broker.internal', '[::1]', 'db-1.example.com');
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
const path = fc.constantFrom('', '/', '/test', '/%2F', '/orders/db');
const harmless = fc.constantFrom('sslmode=require', 'application_name=yard', 'heartbeat=30', 'x=1');
const secretParameter = fc.constantFrom(
  'password',
  'PASSWORD',
  'sslpassword',
  'sslkey',
  'pass%77ord',
  'api_key',
  'token',
  'client_secret',
);

/** Whether the secret, or any 6-character piece of it, shows in `text`. */
function leaks(text: string, hidden: string): boolean {
  if (text.includes(hidden)) return true;
  for (let at = 0; at + 6 <= hidden.length; at++) {
    if (text.includes(hidden.slice(at, at + 6))) return true;
  }
  return false;
}

describe('redactUrl, for any secret in any URL shape', () => {
  it('never shows a password given in the userinfo, whether or not the URL parses', () => {
    fc.assert(
      fc.property(
        scheme,
        user,
        secret,
        host,
        port,
        path,
        fc.boolean(),
        (scheme, user, password, host, port, path, encoded) => {
          const shown = encoded ? encodeURIComponent(password) : password;
          const url = `${scheme}://${user}:${shown}@${host}${port === undefined ? '' : `:${port}`}${path}`;
          const redacted = redactUrl(url);
          assert.ok(!leaks(redacted, shown), `${url} came out as ${redacted}`);
          assert.ok(!leaks(redacted, password), `${url} came out as ${redacted}`);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never shows the value of a secret query parameter, among others in any order', () => {
    fc.assert(
      fc.property(
        scheme,
        host,
        path,
        secretParameter,
        secret,
        fc.array(harmless, { maxLength: 3 }),
        fc.nat(3),
        fc.boolean(),
        (scheme, host, path, name, value, others, at, encoded) => {
          const shown = encoded ? encodeURIComponent(value) : value;
          const parameters: string[] = [...others];
          parameters.splice(Math.min(at, parameters.length), 0, `${name}=${shown}`);
          const url = `${scheme}://${host}${path}?${parameters.join('&')}`;
          const redacted = redactUrl(url);
          // An unencoded & or # ends the value as a URL reader sees it; only the part it reads is secret.
          const readValue = shown.split(/[&#]/)[0] ?? '';
          if (readValue.length >= 6) assert.ok(!leaks(redacted, readValue), `${url} came out as ${redacted}`);
          assert.ok(!redacted.includes(`${name}=${readValue}`) || readValue === '', redacted);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never shows anything between the first : after :// and the last @, nor a user name alone', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), host, path, (userinfo, host, path) => {
        const url = `postgres://${userinfo}@${host}${path}`;
        const redacted = redactUrl(url);
        const colon = userinfo.indexOf(':');
        assert.ok(redacted.startsWith('postgres://'), redacted);
        const hidden = colon === -1 ? userinfo : userinfo.slice(colon + 1);
        if (hidden.length >= 6) assert.ok(!leaks(redacted, hidden), redacted);
      }),
      { numRuns: 500 },
    );
  });
});
