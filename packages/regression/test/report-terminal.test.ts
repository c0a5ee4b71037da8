import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SqlClient } from '@switchyard/postgres';
import { buildRunReport } from '../src/report/build-run-report.ts';
import { formatProgress, progressBar } from '../src/report/format-progress.ts';
import { renderTerminal } from '../src/report/render-terminal.ts';
import type { RunSummary } from '../src/store/capture-store.ts';
import type { PostgresCaptureStore } from '../src/store/postgres-capture-store.ts';
import { filledStore, run } from './report-fixtures.ts';

describe('the terminal report', () => {
  let client: SqlClient;
  let store: PostgresCaptureStore;
  before(async () => {
    ({ client, store } = await filledStore());
  });
  after(async () => {
    await client.close();
  });

  it('summarises counts per reconciler, the top differences and the verdict', async () => {
    const text = renderTerminal(await buildRunReport(store, run));
    const lines = text.split('\n');
    assert.equal(
      lines[0],
      'Run r-report: 12 groups, 12 compared, 24 baseline messages, 22 candidate messages',
    );
    assert.ok(lines.includes('(none): not-applicable 1'));
    assert.ok(lines.includes('  urn:message:shop:ShipmentBooked: 1,000 ms → 1,500 ms'), text);
    assert.ok(lines.includes('invoices: match 4, mismatch 5, missing-in-candidate 1, reconciler-error 1'));
    assert.ok(
      lines.includes('  5 groups differ at urn:message:shop:InvoiceIssued amountMinor e.g. o-5: 990 → 1005'),
    );
    assert.ok(lines.includes('  1 group failed: TypeError: x is undefined'));
    assert.equal(lines.at(-2), 'FAIL: differences found');
  });

  it('keeps one finding per line whatever a reconciler name holds', async () => {
    const report = await buildRunReport(store, run);
    const text = renderTerminal({
      ...report,
      reconcilers: report.reconcilers.map((reconciler) => ({ ...reconciler, name: `evil\nname\u001b[31m` })),
    });
    assert.ok(text.includes('evil\\u{a}name\\u{1b}[31m: not-applicable 1'));
  });

  it('formats a progress line with thousands separators and a bar', () => {
    const summary: RunSummary = {
      groups: 5000,
      settled: 1300,
      compared: 1234,
      lateMessages: 0,
      messages: { baseline: 0, candidate: 0, 'baseline-2': 0 },
      malformed: 0,
      byOutcome: { match: 1222, mismatch: 12 },
    };
    assert.equal(formatProgress(summary), 'compared 1,234/5,000 groups (24%) · 12 mismatches');
    assert.equal(
      formatProgress({
        ...summary,
        byOutcome: { mismatch: 1, 'missing-in-baseline': 2, 'reconciler-error': 3 },
      }),
      'compared 1,234/5,000 groups (24%) · 1 mismatch · 2 missing · 3 errors',
    );
    assert.equal(
      formatProgress({ ...summary, groups: 0, compared: 0, byOutcome: {} }),
      'compared 0/0 groups (0%) · 0 mismatches',
    );
    assert.equal(progressBar(summary, 10), '[##--------]');
  });
});
