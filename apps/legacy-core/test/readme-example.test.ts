import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runEntryExample, runReadmeExample } from '@switchyard/testing';

const expected = 'LEGACY_CORE_CONNECTION_LOST: 1 booked, sequence 1\n1 posting, balanced: true';

it('runs the README example: a lost reply found by enquiry, not resent', async () => {
  assert.equal(await runReadmeExample(import.meta.url), expected);
});

it('runs the example in src/index.ts the same', async () => {
  assert.equal(await runEntryExample(import.meta.url), expected);
});
