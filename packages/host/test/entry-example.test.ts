import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runEntryExample } from '@switchyard/testing';

it('runs the example in src/index.ts embedded and prints what it says', async () => {
  assert.equal(
    await runEntryExample(import.meta.url, { timeoutMs: 60_000 }),
    'north holds 1200 l; ready: 200',
  );
});
