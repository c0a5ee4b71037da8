import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runReadmeExample } from '@switchyard/testing';

it('runs the README example on PGlite and prints what the README says', async () => {
  assert.equal(
    await runReadmeExample(import.meta.url, { timeoutMs: 60_000 }),
    'd-7 Final: planned → loaded → delivered',
  );
});
