import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defineMessage } from '@switchyard/bus';
import { z } from 'zod';
import {
  defineReconciler,
  defineRegressionSuite,
  loadRegressionSuite,
  RegressionSuiteError,
} from '../src/index.ts';

const Charged = defineMessage('suitetest.Charged', z.object({ amountMinor: z.number() }));
const Refunded = defineMessage('suitetest.Refunded', z.object({ amountMinor: z.number() }));
const charges = defineReconciler({
  name: 'charges',
  messages: [Charged],
  completeWhen: [Charged],
  compare: (baseline, candidate, t) => t.diff(baseline.ofType(Charged), candidate.ofType(Charged)),
});

test('a suite lists the exchanges its taps bind, and settles by its reconcilers’ completion types', () => {
  const suite = defineRegressionSuite({
    name: 'billing',
    captures: [Charged, Refunded],
    reconcilers: [charges],
  });
  assert.deepEqual(suite.exchanges, ['suitetest:Charged', 'suitetest:Refunded']);
  assert.deepEqual(suite.settle, {
    quietMs: 5_000,
    maxWaitMs: 300_000,
    completionTypes: ['urn:message:suitetest:Charged'],
  });
});

test('a suite whose reconciler compares a type it does not capture is refused, naming both', () => {
  assert.throws(
    () => defineRegressionSuite({ name: 'billing', captures: [Refunded], reconcilers: [charges] }),
    (error: unknown) =>
      error instanceof RegressionSuiteError &&
      error.message.includes('"charges"') &&
      error.message.includes('urn:message:suitetest:Charged') &&
      error.message.includes('add it to captures'),
  );
});

test('a suite with nothing captured, no reconcilers or a maximum wait under its quiet period is refused', () => {
  assert.throws(
    () => defineRegressionSuite({ name: 'x', captures: [], reconcilers: [charges] }),
    /captures no message types/,
  );
  assert.throws(
    () => defineRegressionSuite({ name: 'x', captures: [Charged], reconcilers: [] }),
    /has no reconcilers/,
  );
  assert.throws(
    () =>
      defineRegressionSuite({
        name: 'x',
        captures: [Charged],
        reconcilers: [charges],
        settle: { quietMs: 10, maxWaitMs: 5 },
      }),
    /settle\.maxWaitMs \(5\) must be at least settle\.quietMs \(10\)/,
  );
  assert.throws(
    () => defineRegressionSuite({ name: ' ', captures: [Charged], reconcilers: [charges] }),
    /has no name/,
  );
});

test('a suite module is loaded by path; a file without `suite` or missing is a clear error', async () => {
  const loaded = await loadRegressionSuite(join(import.meta.dirname, 'fixtures', 'suite-module.ts'));
  assert.equal(loaded.name, 'invoices');
  assert.equal(loaded.reconcilers[0]?.name, 'invoice amounts');
  const directory = await mkdtemp(join(tmpdir(), 'suite-'));
  const empty = join(directory, 'empty.ts');
  await writeFile(empty, 'export const other = 1;\n');
  await assert.rejects(loadRegressionSuite(empty), /does not export a regression suite as "suite"/);
  await assert.rejects(loadRegressionSuite(join(directory, 'nothing.ts')), /does not exist/);
});
