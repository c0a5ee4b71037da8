import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runReadmeExample } from '@switchyard/testing';

it('runs the README example: a suite defined, and the exchanges its taps bind', async () => {
  assert.equal(
    await runReadmeExample(import.meta.url),
    'milkround: taps bind milkround.billing:CustomerCharged',
  );
});
