import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SqlClient } from '@switchyard/postgres';
import { buildRunReport } from '../src/report/build-run-report.ts';
import { exitCodeOf } from '../src/report/exit-code.ts';
import { renderJson } from '../src/report/render-json.ts';
import type { PostgresCaptureStore } from '../src/store/postgres-capture-store.ts';
import { filledStore, passingStore, run } from './report-fixtures.ts';

describe('the run report model', () => {
  let store: PostgresCaptureStore;
  const clients: SqlClient[] = [];
  before(async () => {
    const filled = await filledStore();
    store = filled.store;
    clients.push(filled.client);
  });
  after(async () => {
    for (const client of clients) await client.close();
  });

  it('counts outcomes per reconciler across pages', async () => {
    const report = await buildRunReport(store, run, { pageSize: 2 });
    assert.deepEqual(
      report.reconcilers.map((reconciler) => [reconciler.name, reconciler.results, reconciler.byOutcome]),
      [
        ['(none)', 1, { 'not-applicable': 1 }],
        ['invoices', 11, { match: 4, mismatch: 5, 'reconciler-error': 1, 'missing-in-candidate': 1 }],
      ],
    );
    assert.equal(report.summary.groups, 12);
  });

  it('ranks difference paths, generalising indexes and counting a path once per group', async () => {
    const report = await buildRunReport(store, run);
    const invoices = report.reconcilers.find((reconciler) => reconciler.name === 'invoices');
    assert.deepEqual(
      invoices?.differencePaths.map((path) => [path.path, path.groups]),
      [
        ['amountMinor', 5],
        ['lines[*].price', 2],
        ['date', 1],
      ],
    );
    assert.deepEqual(invoices?.differencePaths[0]?.examples[0], {
      groupKey: 'o-5',
      baseline: 990,
      candidate: 1005,
    });
    assert.deepEqual(invoices?.errors, [
      { error: 'TypeError: x is undefined', groups: 1, examples: ['o-10'] },
    ]);
    assert.deepEqual(report.mismatchesByMessageType, [
      { messageType: 'urn:message:shop:InvoiceIssued', mismatches: 5 },
      { messageType: 'urn:message:shop:ShipmentBooked', mismatches: 1 },
    ]);
    // Each side against its own first message: shipments 1 s after the invoice in the baseline, 1.5 s in the candidate.
    assert.deepEqual(report.latency.byType, [
      {
        messageType: 'urn:message:shop:ShipmentBooked',
        baseline: { groups: 12, p50Ms: 1_000, p95Ms: 1_000 },
        candidate: { groups: 11, p50Ms: 1_500, p95Ms: 1_500 },
      },
      {
        messageType: 'urn:message:shop:InvoiceIssued',
        baseline: { groups: 12, p50Ms: 0, p95Ms: 0 },
        candidate: { groups: 11, p50Ms: 0, p95Ms: 0 },
      },
    ]);
    assert.equal(
      report.overTime.buckets.reduce((sum, bucket) => sum + bucket.compared, 0),
      12,
    );
  });

  it('keeps at most the asked examples, paths and failures', async () => {
    const report = await buildRunReport(store, run, { examples: 2, maxPaths: 1, maxFailures: 3 });
    const invoices = report.reconcilers.find((reconciler) => reconciler.name === 'invoices');
    assert.equal(invoices?.differencePaths.length, 1);
    assert.equal(invoices?.differencePaths[0]?.examples.length, 2);
    // lines[*].price in two groups and date in one were beyond the first path.
    assert.equal(invoices?.otherPathGroups, 3);
    assert.equal(invoices?.failures.length, 3);
    assert.equal(invoices?.failureCount, 7);
  });

  it('exits 1 on differences and 0 when everything matched', async () => {
    assert.equal(exitCodeOf(await buildRunReport(store, run)), 1);
    const passing = await passingStore();
    clients.push(passing.client);
    assert.equal(exitCodeOf(await buildRunReport(passing.store, run)), 0);
  });

  it('renders as JSON that reads back to the same report', async () => {
    const report = await buildRunReport(store, run);
    assert.deepEqual(JSON.parse(renderJson(report)), report);
  });
});
