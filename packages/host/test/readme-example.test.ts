import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runReadmeExample } from '@switchyard/testing';

it('runs the README example embedded and prints what the README says', async () => {
  assert.equal(
    await runReadmeExample(import.meta.url, { timeoutMs: 60_000 }),
    '400 application/problem+json; charset=utf-8 at body.litres; ready: 200',
  );
});
