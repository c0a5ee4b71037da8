import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStorableText, storable } from '@switchyard/host';
import fc from 'fast-check';

describe('storable field schemas', () => {
  it('refuses text PostgreSQL cannot hold, and takes the rest', () => {
    const name = storable.text({ max: 10 });
    assert.equal(name.safeParse('Kim').success, true);
    assert.equal(name.safeParse('a\u0000b').success, false, 'NUL');
    assert.equal(name.safeParse('a\ud800b').success, false, 'a lone surrogate');
    assert.equal(name.safeParse('😀').success, true, 'a surrogate pair is fine');
    assert.equal(name.safeParse('').success, false);
    assert.equal(name.safeParse('x'.repeat(11)).success, false);
    const failed = name.safeParse('a\u0000b');
    assert.match(JSON.stringify(failed.error?.issues), /without NUL characters or unpaired surrogates/);
  });

  it('keeps ids under the index limit and numbers in the column range', () => {
    assert.equal(storable.id().safeParse('x'.repeat(200)).success, true);
    assert.equal(storable.id().safeParse('x'.repeat(201)).success, false);
    assert.equal(storable.int().safeParse(2_147_483_647).success, true);
    assert.equal(storable.int().safeParse(2_147_483_648).success, false);
    assert.equal(storable.int().safeParse(0).success, false, 'a count is at least 1');
    assert.equal(storable.amountMinor().safeParse(0).success, true);
    assert.equal(storable.amountMinor().safeParse(-1).success, false);
  });

  it('takes dates and times in the years 1 to 9999 only', () => {
    assert.equal(storable.date().safeParse('2026-12-06').success, true);
    assert.equal(storable.date().safeParse('0000-01-02').success, false);
    assert.equal(storable.date().safeParse('2026-02-30').success, false);
    assert.equal(storable.timestamp().safeParse('2026-12-06T09:00:00Z').success, true);
    assert.equal(storable.timestamp().safeParse('0000-01-01T00:00:00Z').success, false);
  });

  it('agrees with its own rule on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (value) => {
        const accepted = storable.text({ min: 0 }).safeParse(value).success;
        assert.equal(accepted, isStorableText(value));
        if (accepted) assert.ok(Buffer.from(value, 'utf8').toString('utf8') === value, 'survives UTF-8');
      }),
    );
  });
});
