import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runEntryExample } from '@switchyard/testing';

it('runs the example in src/index.ts and prints what it says', async () => {
  assert.equal(await runEntryExample(import.meta.url), 'billed o-42 for 2 pints (tenant dairy-north)');
});
