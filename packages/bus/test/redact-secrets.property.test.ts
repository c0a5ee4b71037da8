import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactSecrets } from '@switchyard/bus';
import fc from 'fast-check';

/** Characters that break URLs and naive patterns, among ordinary ones. */
const awkward = fc.oneof(
  fc.constantFrom('@', ':', '/', '?', '#', '%', ' ', '&', '=', '"', "'", '\\', ',', ';'),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
);
const secret = fc.array(awkward, { minLength: 6, maxLength: 20 }).map((parts) => `Z${parts.join('')}Q`);
/** A secret as a libpq setting or a log field holds it: no blank or separator unless quoted. */
const plainSecret = secret.map((text) => text.replace(/[\s,;&'"]/g, 'x'));
const words = fc.constantFrom('', 'connect failed: ', 'Error: could not reach ', 'at ', '(', '"');
const after = fc.constantFrom('', ' refused', ': timeout', '\n    at Socket.connect', ')', '"');

function leaks(text: string, hidden: string): boolean {
  for (let at = 0; at + 6 <= hidden.length; at++) if (text.includes(hidden.slice(at, at + 6))) return true;
  return false;
}

describe('redactSecrets, for any secret in any driver-like message', () => {
  it('hides a password in a URL anywhere in the text, up to the last @ of the line', () => {
    fc.assert(
      fc.property(
        words,
        fc.constantFrom('postgres', 'amqps', 'amqp', 'https'),
        secret,
        after,
        (before, scheme, password, end) => {
          const text = `${before}${scheme}://app:${password}@db.internal:5432/x${end}`;
          const redacted = redactSecrets(text);
          assert.ok(!leaks(redacted, password), `${text}\n=> ${redacted}`);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('hides password=, sslpassword= and token: settings, bare or quoted', () => {
    fc.assert(
      fc.property(
        words,
        fc.constantFrom('password', 'sslpassword', 'PASSWORD', 'token', 'api_key', 'client_secret'),
        fc.constantFrom('=', ': ', ' = '),
        fc.oneof(
          plainSecret,
          plainSecret.map((text) => `'${text} ${text}'`),
        ),
        after,
        (before, name, separator, value, end) => {
          const text = `${before}host=db ${name}${separator}${value} port=5432${end}`;
          const redacted = redactSecrets(text);
          assert.ok(!leaks(redacted, value.replaceAll("'", '')), `${text}\n=> ${redacted}`);
          assert.match(redacted, /port=5432/);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('redactSecrets on our own messages', () => {
  it('leaves words alone: "a bearer token", "Basic authentication", "password authentication failed"', () => {
    for (const text of [
      'Set a bearer token of at least 16 characters',
      'Basic authentication is not supported',
      'password authentication failed for user "app"',
      'http.operationsToken (from env SWITCHYARD_OPERATIONS_TOKEN): expected a token of at least 16 characters',
    ]) {
      assert.equal(redactSecrets(text), text);
    }
    assert.equal(redactSecrets('sent Authorization: Bearer abc123DEF456'), 'sent Authorization: Bearer ***');
  });
});

describe('redactSecrets on hostile input', () => {
  it('takes linear time: 200 KB built to make a backtracking pattern quadratic is done in well under a second', () => {
    for (const text of [
      'a'.repeat(200_000),
      'a.'.repeat(100_000),
      'a-'.repeat(100_000),
      `${'x'.repeat(200_000)}password`,
      `postgres://${'@'.repeat(100_000)}`,
      'Bearer '.repeat(30_000),
    ]) {
      const started = performance.now();
      redactSecrets(text);
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 500, `${text.slice(0, 12)}... took ${elapsed.toFixed(0)} ms`);
    }
  });
});
