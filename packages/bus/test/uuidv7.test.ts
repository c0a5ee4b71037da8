import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUuid, uuidv7 } from '@switchyard/bus';
import fc from 'fast-check';

describe('uuidv7', () => {
  it('has version 7, the RFC variant and the time in its first 48 bits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 47 }), (millis) => {
        const id = uuidv7(millis + 1_700_000_000_000);
        assert.ok(isUuid(id));
        assert.equal(id[14], '7');
        assert.ok('89ab'.includes(id[19] ?? ''));
        const encoded = Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
        assert.ok(encoded >= millis + 1_700_000_000_000);
      }),
    );
  });

  it('sorts in the order ids were made, even many within one millisecond', () => {
    const ids = Array.from({ length: 20_000 }, () => uuidv7());
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
  });
});
