import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineMessage } from '@switchyard/bus';
import { z } from 'zod';
import { defineReconciler } from '../src/reconcile/define-reconciler.ts';
import { evaluateGroup } from '../src/reconcile/evaluate-group.ts';
import { ReconcilerDefinitionError } from '../src/regression-errors.ts';
import { captured } from './reconcile-fixtures.ts';

const InvoiceIssued = defineMessage(
  'milkround.billing.InvoiceIssued',
  z.object({ invoiceId: z.string(), amount: z.number(), issuedAt: z.string() }),
);
const DeliveryScheduled = defineMessage(
  'milkround.delivery.DeliveryScheduled',
  z.object({ deliveryId: z.string(), day: z.string() }),
);
const Unrelated = defineMessage('milkround.other.Unrelated', z.object({ x: z.number() }));

const invoices = defineReconciler({
  name: 'invoices',
  messages: [InvoiceIssued, DeliveryScheduled],
  completeWhen: [InvoiceIssued],
  ignore: ['deliveryId'],
  compare(baseline, candidate, t) {
    // Typed: `one` returns an InvoiceIssued body, so `.amount` is a number.
    const a = baseline.one(InvoiceIssued);
    const b = candidate.one(InvoiceIssued);
    const amount: number = a.amount;
    void amount;
    return [
      ...t.diff(a, b, { time: { issuedAt: 1000 }, messageType: InvoiceIssued.urn }),
      ...t.diffMessageLists(baseline.ofType(DeliveryScheduled), candidate.ofType(DeliveryScheduled), {
        key: (d) => d.day,
        messageType: DeliveryScheduled.urn,
      }),
    ];
  },
});

const invoice = { invoiceId: 'i-1', amount: 12.5, issuedAt: '2026-01-01T10:00:00.000Z' };

describe('defineReconciler', () => {
  it('exposes the URNs of its types and of its completion rule, for the store', () => {
    assert.deepEqual(invoices.messageUrns, [InvoiceIssued.urn, DeliveryScheduled.urn]);
    assert.deepEqual(invoices.completeWhenUrns, [InvoiceIssued.urn]);
    assert.deepEqual(
      defineReconciler({ name: 'x', messages: ['urn:message:a:B'], compare: () => [] }).completeWhenUrns,
      [],
    );
  });

  it('refuses an empty name, no message types, and a completion type it does not declare', () => {
    assert.throws(
      () => defineReconciler({ name: ' ', messages: [InvoiceIssued], compare: () => [] }),
      (error) => {
        assert.ok(error instanceof ReconcilerDefinitionError);
        assert.match(error.message, /no name/);
        return true;
      },
    );
    assert.throws(
      () => defineReconciler({ name: 'empty', messages: [], compare: () => [] }),
      (error) =>
        error instanceof ReconcilerDefinitionError && /"empty".*no message types/.test(error.message),
    );
    assert.throws(
      () =>
        defineReconciler({
          name: 'odd',
          messages: [InvoiceIssued],
          completeWhen: [Unrelated as never],
          compare: () => [],
        }),
      (error) => error instanceof ReconcilerDefinitionError && /"odd" completes on/.test(error.message),
    );
  });

  it('refuses two reconcilers of one name in a set', async () => {
    const twin = defineReconciler({ name: 'invoices', messages: [InvoiceIssued], compare: () => [] });
    await assert.rejects(
      evaluateGroup([invoices, twin], []),
      (error) =>
        error instanceof ReconcilerDefinitionError && /"invoices" is defined twice/.test(error.message),
    );
  });

  it('is unit-testable on its own: compare takes side views and the toolkit', async () => {
    const [result] = await evaluateGroup(
      [invoices],
      [
        captured('baseline', InvoiceIssued.urn, invoice),
        captured('candidate', InvoiceIssued.urn, { ...invoice, amount: 13 }),
      ],
    );
    assert.deepEqual(result, {
      reconciler: 'invoices',
      outcome: {
        kind: 'mismatch',
        differences: [
          { path: 'amount', baseline: 12.5, candidate: 13, kind: 'changed', messageType: InvoiceIssued.urn },
        ],
      },
    });
  });
});

describe('evaluateGroup', () => {
  it('matches within the declared tolerances and leaves other types out', async () => {
    const results = await evaluateGroup(
      [invoices],
      [
        captured('baseline', InvoiceIssued.urn, invoice),
        captured('candidate', InvoiceIssued.urn, { ...invoice, issuedAt: '2026-01-01T10:00:00.500Z' }),
        captured('candidate', Unrelated.urn, { x: 1 }),
      ],
    );
    assert.deepEqual(results, [{ reconciler: 'invoices', outcome: { kind: 'match' } }]);
  });

  it('missing on one side, and not applicable when neither side has its types', async () => {
    const only = (environment: 'baseline' | 'candidate') =>
      evaluateGroup(
        [invoices],
        [captured(environment, InvoiceIssued.urn, invoice), captured('candidate', Unrelated.urn, {})],
      );
    assert.deepEqual(await only('baseline'), [
      { reconciler: 'invoices', outcome: { kind: 'missing-in-candidate' } },
    ]);
    assert.deepEqual(await only('candidate'), [
      { reconciler: 'invoices', outcome: { kind: 'missing-in-baseline' } },
    ]);
    assert.deepEqual(
      await evaluateGroup(
        [invoices],
        [captured('baseline', Unrelated.urn, {}), captured('candidate', Unrelated.urn, {})],
      ),
      [],
    );
  });

  it('a throwing or rejecting reconciler is a reconciler-error; the others still run', async () => {
    const throws = defineReconciler({
      name: 'throws',
      messages: [InvoiceIssued],
      compare() {
        throw new Error('boom');
      },
    });
    const rejects = defineReconciler({
      name: 'rejects',
      messages: [InvoiceIssued],
      compare: async () => Promise.reject(new Error('late boom')),
    });
    const results = await evaluateGroup(
      [throws, rejects, invoices],
      [captured('baseline', InvoiceIssued.urn, invoice), captured('candidate', InvoiceIssued.urn, invoice)],
    );
    assert.deepEqual(results, [
      { reconciler: 'throws', outcome: { kind: 'reconciler-error', error: 'boom' } },
      { reconciler: 'rejects', outcome: { kind: 'reconciler-error', error: 'late boom' } },
      { reconciler: 'invoices', outcome: { kind: 'match' } },
    ]);
  });

  it('one() names the side, type and count when there is not exactly one', async () => {
    const results = await evaluateGroup(
      [invoices],
      [
        captured('baseline', InvoiceIssued.urn, invoice),
        captured('candidate', DeliveryScheduled.urn, { deliveryId: 'd', day: 'mon' }),
      ],
    );
    assert.deepEqual(results, [
      {
        reconciler: 'invoices',
        outcome: {
          kind: 'reconciler-error',
          error: `Expected exactly one ${InvoiceIssued.urn} on the candidate side, found 0`,
        },
      },
    ]);
  });

  it('duplicated captures (same message id) and arrival order do not change the outcome', async () => {
    const b = captured('baseline', InvoiceIssued.urn, invoice, { messageId: 'b1' });
    const c = captured('candidate', InvoiceIssued.urn, invoice, { messageId: 'c1' });
    const bd = captured(
      'baseline',
      DeliveryScheduled.urn,
      { deliveryId: 'x', day: 'mon' },
      { messageId: 'b2', sentTime: '2026-01-01T00:00:01.000Z' },
    );
    const cd1 = captured(
      'candidate',
      DeliveryScheduled.urn,
      { deliveryId: 'y', day: 'tue' },
      { messageId: 'c2', sentTime: '2026-01-01T00:00:02.000Z' },
    );
    const cd2 = captured(
      'candidate',
      DeliveryScheduled.urn,
      { deliveryId: 'z', day: 'mon' },
      { messageId: 'c3', sentTime: '2026-01-01T00:00:03.000Z' },
    );
    const base = await evaluateGroup([invoices], [b, c, bd, cd1, cd2]);
    // Without dedupe, the duplicated invoice would make one() throw and the duplicated delivery go unpaired.
    const shuffled = await evaluateGroup([invoices], [cd2, c, bd, b, cd1, b, bd, c]);
    assert.deepEqual(shuffled, base);
    assert.equal(base[0]?.outcome.kind, 'mismatch');
  });

  it('ignores the reconciler’s ignore paths in what compare returns', async () => {
    const results = await evaluateGroup(
      [invoices],
      [
        captured('baseline', InvoiceIssued.urn, invoice),
        captured('baseline', DeliveryScheduled.urn, { deliveryId: 'x', day: 'mon' }),
        captured('candidate', InvoiceIssued.urn, invoice),
        captured('candidate', DeliveryScheduled.urn, { deliveryId: 'y', day: 'mon' }),
      ],
    );
    // deliveryId differs, at path ["mon"].deliveryId; the ignore `deliveryId`... is anchored at the root,
    // so it must be written for the list path.
    assert.equal(results[0]?.outcome.kind, 'mismatch');
    const anchored = defineReconciler({ ...invoices, name: 'anchored', ignore: ['[*].deliveryId'] });
    const again = await evaluateGroup(
      [anchored],
      [
        captured('baseline', InvoiceIssued.urn, invoice),
        captured('baseline', DeliveryScheduled.urn, { deliveryId: 'x', day: 'mon' }),
        captured('candidate', InvoiceIssued.urn, invoice),
        captured('candidate', DeliveryScheduled.urn, { deliveryId: 'y', day: 'mon' }),
      ],
    );
    assert.deepEqual(again, [{ reconciler: 'anchored', outcome: { kind: 'match' } }]);
  });

  it('a compare that returns nothing is a match; one that returns a non-list is a reconciler-error', async () => {
    const silent = defineReconciler({ name: 'silent', messages: [InvoiceIssued], compare() {} });
    const odd = defineReconciler({ name: 'odd', messages: [InvoiceIssued], compare: () => 'nope' as never });
    const results = await evaluateGroup(
      [silent, odd],
      [captured('baseline', InvoiceIssued.urn, invoice), captured('candidate', InvoiceIssued.urn, invoice)],
    );
    assert.deepEqual(results, [
      { reconciler: 'silent', outcome: { kind: 'match' } },
      {
        reconciler: 'odd',
        outcome: { kind: 'reconciler-error', error: 'compare returned string, not a list of differences' },
      },
    ]);
  });

  it('compares baseline-2 as the candidate when asked, and leaves it out otherwise', async () => {
    const messages = [
      captured('baseline', InvoiceIssued.urn, invoice),
      captured('baseline-2', InvoiceIssued.urn, { ...invoice, invoiceId: 'i-2' }),
    ];
    assert.deepEqual(await evaluateGroup([invoices], messages), [
      { reconciler: 'invoices', outcome: { kind: 'missing-in-candidate' } },
    ]);
    const [vsSecond] = await evaluateGroup([invoices], messages, { candidateEnvironment: 'baseline-2' });
    assert.equal(vsSecond?.outcome.kind, 'mismatch');
  });
});
