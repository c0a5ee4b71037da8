import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineMessage } from '@switchyard/bus';
import { z } from 'zod';
import {
  ControlTotalsAccumulator,
  defineControlTotal,
  evaluateControlTotals,
} from '../src/reconcile/control-totals.ts';
import { ReconcilerDefinitionError } from '../src/regression-errors.ts';
import { captured } from './reconcile-fixtures.ts';

const InvoiceIssued = defineMessage(
  'milkround.billing.InvoiceIssued',
  z.object({ amountPence: z.number().int(), issuedAt: z.string() }),
);

const invoicedPerDay = defineControlTotal({
  name: 'invoiced per day',
  messages: [InvoiceIssued],
  bucket: (invoice) => invoice.issuedAt.slice(0, 10),
  amount: (invoice) => invoice.amountPence,
});

const issued = (
  environment: 'baseline' | 'candidate' | 'baseline-2',
  amountPence: number,
  issuedAt: string,
) => captured(environment, InvoiceIssued.urn, { amountPence, issuedAt });

describe('control totals', () => {
  it('sums per day on each side and flags the days that differ', async () => {
    const results = await evaluateControlTotals(
      [invoicedPerDay],
      [
        issued('baseline', 100, '2026-01-01T09:00:00Z'),
        issued('candidate', 60, '2026-01-01T10:00:00Z'),
        issued('baseline', 50, '2026-01-02T09:00:00Z'),
        issued('candidate', 40, '2026-01-01T23:59:00Z'),
        issued('candidate', 55, '2026-01-02T09:00:00Z'),
        issued('baseline-2', 999, '2026-01-02T09:00:00Z'),
        captured('candidate', 'urn:message:other:Thing', { amountPence: 5, issuedAt: '2026-01-01' }),
      ],
    );
    assert.deepEqual(results, [
      {
        total: 'invoiced per day',
        bucket: '2026-01-01',
        baseline: 100,
        candidate: 100,
        difference: 0,
        baselineCount: 1,
        candidateCount: 2,
        outcome: 'match',
      },
      {
        total: 'invoiced per day',
        bucket: '2026-01-02',
        baseline: 50,
        candidate: 55,
        difference: 5,
        baselineCount: 1,
        candidateCount: 1,
        outcome: 'mismatch',
      },
    ]);
  });

  it('a bucket on one side only is a mismatch against zero', async () => {
    const [only] = await evaluateControlTotals(
      [invoicedPerDay],
      [issued('candidate', 10, '2026-01-03T00:00:00Z')],
    );
    assert.equal(only?.baseline, 0);
    assert.equal(only?.outcome, 'mismatch');
  });

  it('honours a tolerance', async () => {
    const lenient = defineControlTotal({ ...invoicedPerDay, name: 'lenient', tolerance: { absolute: 5 } });
    const results = await evaluateControlTotals(
      [lenient],
      [issued('baseline', 100, '2026-01-01T00:00:00Z'), issued('candidate', 105, '2026-01-01T00:00:00Z')],
    );
    assert.equal(results[0]?.outcome, 'match');
  });

  it('folds one message at a time, from an async source too', async () => {
    const accumulator = new ControlTotalsAccumulator([invoicedPerDay]);
    accumulator.add(issued('baseline', 7, '2026-01-01T00:00:00Z'));
    assert.equal(accumulator.results()[0]?.outcome, 'mismatch');
    accumulator.add(issued('candidate', 7, '2026-01-01T00:00:00Z'));
    assert.equal(accumulator.results()[0]?.outcome, 'match');
    async function* stream() {
      yield issued('baseline', 1, '2026-01-05T00:00:00Z');
      yield issued('candidate', 2, '2026-01-05T00:00:00Z');
    }
    const [fromStream] = await evaluateControlTotals([invoicedPerDay], stream());
    assert.equal(fromStream?.difference, 1);
  });

  it('refuses a nameless or typeless total, and two of one name', () => {
    assert.throws(() => defineControlTotal({ ...invoicedPerDay, name: '' }), ReconcilerDefinitionError);
    assert.throws(() => defineControlTotal({ ...invoicedPerDay, messages: [] }), /no message types/);
    assert.throws(() => new ControlTotalsAccumulator([invoicedPerDay, invoicedPerDay]), /defined twice/);
  });
});
