import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Difference } from '../src/reconcile/difference.ts';
import { applyNoise, generalisePath, learnNoise } from '../src/reconcile/noise.ts';

const T = 'urn:message:billing:InvoiceIssued';
const changed = (path: string, messageType: string | undefined = T): Difference => ({
  path,
  baseline: 1,
  candidate: 2,
  kind: 'changed',
  ...(messageType === undefined ? {} : { messageType }),
});

describe('noise', () => {
  it('generalises indices and list keys', () => {
    assert.equal(generalisePath('lines[3].id'), 'lines[*].id');
    assert.equal(generalisePath('["a.b]"].at'), '[*].at');
  });

  it('learns paths that differed between two baselines, with how often, per reconciler and type', () => {
    const model = learnNoise([
      {
        reconciler: 'invoices',
        outcome: {
          kind: 'mismatch',
          differences: [changed('issuedAt'), changed('lines[0].id'), changed('lines[1].id')],
        },
      },
      { reconciler: 'invoices', outcome: { kind: 'mismatch', differences: [changed('issuedAt')] } },
      { reconciler: 'invoices', outcome: { kind: 'match' } },
      { reconciler: 'invoices', outcome: { kind: 'match' } },
      { reconciler: 'deliveries', outcome: { kind: 'missing-in-candidate' } },
    ]);
    assert.deepEqual(model.groups, { invoices: 4, deliveries: 1 });
    assert.deepEqual(model.paths, [
      { reconciler: 'invoices', messageType: T, path: 'issuedAt', occurrences: 2, rate: 0.5 },
      // Counted once per group though two lines differed.
      { reconciler: 'invoices', messageType: T, path: 'lines[*].id', occurrences: 1, rate: 0.25 },
    ]);
  });

  it('thresholds keep rare paths out of the model', () => {
    const samples = [
      { reconciler: 'r', outcome: { kind: 'mismatch' as const, differences: [changed('a'), changed('b')] } },
      { reconciler: 'r', outcome: { kind: 'mismatch' as const, differences: [changed('a')] } },
      { reconciler: 'r', outcome: { kind: 'match' as const } },
    ];
    assert.deepEqual(
      learnNoise(samples, { minOccurrences: 2 }).paths.map((p) => p.path),
      ['a'],
    );
    assert.deepEqual(
      learnNoise(samples, { minRate: 0.5 }).paths.map((p) => p.path),
      ['a'],
    );
  });

  it('splits a mismatch into real and noise; all noise makes a match that notes it', () => {
    const model = learnNoise([
      {
        reconciler: 'invoices',
        outcome: { kind: 'mismatch', differences: [changed('issuedAt'), changed('lines[0].id')] },
      },
    ]);
    const allNoise = applyNoise(
      {
        reconciler: 'invoices',
        outcome: { kind: 'mismatch', differences: [changed('issuedAt'), changed('lines[4].id')] },
      },
      model,
    );
    assert.deepEqual(allNoise, {
      reconciler: 'invoices',
      outcome: { kind: 'match', noise: [changed('issuedAt'), changed('lines[4].id')] },
    });
    const mixed = applyNoise(
      {
        reconciler: 'invoices',
        outcome: { kind: 'mismatch', differences: [changed('issuedAt'), changed('amount')] },
      },
      model,
    );
    assert.deepEqual(mixed.outcome, {
      kind: 'mismatch',
      differences: [changed('amount')],
      noise: [changed('issuedAt')],
    });
  });

  it('noise is per reconciler and message type', () => {
    const model = learnNoise([
      { reconciler: 'invoices', outcome: { kind: 'mismatch', differences: [changed('issuedAt')] } },
    ]);
    const otherReconciler = applyNoise(
      { reconciler: 'credits', outcome: { kind: 'mismatch', differences: [changed('issuedAt')] } },
      model,
    );
    assert.equal(otherReconciler.outcome.kind, 'mismatch');
    const otherType = applyNoise(
      {
        reconciler: 'invoices',
        outcome: { kind: 'mismatch', differences: [changed('issuedAt', 'urn:message:x:Other')] },
      },
      model,
    );
    assert.equal(otherType.outcome.kind, 'mismatch');
  });

  it('leaves other outcomes alone', () => {
    const model = learnNoise([]);
    const missing = { reconciler: 'r', outcome: { kind: 'missing-in-baseline' as const } };
    assert.equal(applyNoise(missing, model), missing);
  });
});
