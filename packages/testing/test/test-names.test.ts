import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { abandonedAfterMs, freshTestName, isAbandonedTestName } from '../src/test-names.ts';

describe('test resource names', () => {
  it('are valid unquoted SQL identifiers and vhost names, and unique', () => {
    const names = new Set(Array.from({ length: 1000 }, () => freshTestName()));
    assert.equal(names.size, 1000);
    for (const name of names) assert.match(name, /^[a-z_][a-z0-9_]*$/);
  });

  it('are abandoned only once older than the limit, and only when ours', () => {
    const now = 1_800_000_000_000;
    const old = freshTestName(now - abandonedAfterMs - 1);
    const recent = freshTestName(now - 1000);
    assert.equal(isAbandonedTestName(old, now, abandonedAfterMs), true);
    assert.equal(isAbandonedTestName(recent, now, abandonedAfterMs), false);
    assert.equal(isAbandonedTestName('orders', now, abandonedAfterMs), false);
    assert.equal(isAbandonedTestName('yard_test_notanumber_x', now, abandonedAfterMs), false);
  });
});
