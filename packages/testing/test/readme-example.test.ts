import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runReadmeExample } from '@switchyard/testing';

it('runs the README example and prints what the README says', async () => {
  assert.equal(await runReadmeExample(import.meta.url), 'true true');
});
