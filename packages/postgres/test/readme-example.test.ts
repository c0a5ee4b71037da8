import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runReadmeExample } from '@switchyard/testing';

it('runs the README example on PGlite and prints what the README says', async () => {
  assert.equal(await runReadmeExample(import.meta.url, { timeoutMs: 60_000 }), 'billed o-42 for 2 pints');
});
