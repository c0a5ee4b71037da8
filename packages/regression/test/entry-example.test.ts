import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runEntryExample } from '@switchyard/testing';

it('runs the example in src/index.ts: two groups compared, one match and one mismatch', async () => {
  assert.equal(
    await runEntryExample(import.meta.url, { timeoutMs: 60_000 }),
    '2 groups compared: 1 match, 1 mismatch',
  );
});
