import assert from 'node:assert/strict';
import { it } from 'node:test';
import { clientChosenId } from '../../src/shared/client-chosen-id.ts';

// Found by the HTTP edge check following a Location: a complaint filed as ".." was answered with
// `Location: /returns/complaints/..`, which every client resolves to `/returns/`, so it could never be
// read back.
it('refuses the ids a URL resolves away, and takes the URL-safe ones', () => {
  const id = clientChosenId('complaintId');
  for (const dots of ['.', '..']) {
    const refused = id.safeParse(dots);
    assert.equal(refused.success, false, `"${dots}" is refused`);
    assert.match(refused.error?.issues[0]?.message ?? '', /must not be "\." or "\.\."/);
  }
  for (const fine of ['...', '.a', 'a..b', 'c-1_~x', 'x'.repeat(100)])
    assert.equal(id.safeParse(fine).success, true, fine);
});
