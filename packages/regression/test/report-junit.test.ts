import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SqlClient } from '@switchyard/postgres';
import { buildRunReport } from '../src/report/build-run-report.ts';
import { renderJUnit } from '../src/report/render-junit.ts';
import type { RunReport } from '../src/report/run-report.ts';
import { xmlText } from '../src/report/xml-text.ts';
import { filledStore, run } from './report-fixtures.ts';

describe('the JUnit report', () => {
  let client: SqlClient;
  let report: RunReport;
  before(async () => {
    const filled = await filledStore();
    client = filled.client;
    report = await buildRunReport(filled.store, run, { maxFailures: 4 });
  });
  after(async () => {
    await client.close();
  });

  it('has a suite for the run, a case per reconciler and a failure per failed group, bounded', () => {
    const xml = renderJUnit(report);
    assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites /);
    assert.equal(xml.match(/<testsuite /g)?.length, 1);
    assert.match(xml, /<testsuite name="r-report" tests="2" failures="1"/);
    assert.deepEqual(
      [...xml.matchAll(/<testcase [^>]*name="([^"]*)"/g)].map((match) => match[1]),
      ['(none)', 'invoices'],
    );
    const failures = [...xml.matchAll(/<failure type="([^"]*)"/g)].map((match) => match[1]);
    assert.deepEqual(failures, ['mismatch', 'mismatch', 'mismatch', 'mismatch', 'more']);
    assert.match(xml, /3 more failed groups not listed \(7 in all\)/);
    assert.match(
      xml,
      /message="o-5: amountMinor: 990 → 1005; lines\[5\]\.price: 1 → 2; lines\[0\]\.price: 1 → 2"/,
    );
  });

  it('escapes markup, quotes, control characters and lone surrogates', () => {
    const nasty = `a"b'c<d>e&f\u0001g\u001bh\ud800i\udc00j😀k\tl\nm\uFFFEn`;
    assert.equal(
      xmlText(nasty),
      'a&quot;b&apos;c&lt;d&gt;e&amp;f\\u{1}g\\u{1B}h\\u{D800}i\\u{DC00}j😀k&#9;l&#10;m\\u{FFFE}n',
    );
    const invoices = report.reconcilers.find((reconciler) => reconciler.name === 'invoices');
    assert.ok(invoices);
    const xml = renderJUnit({
      ...report,
      reconcilers: [
        { ...invoices, name: nasty, failures: [{ groupKey: nasty, kind: 'mismatch', detail: nasty }] },
      ],
    });
    // Only characters XML 1.0 allows remain, and no raw markup from the values.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
    assert.doesNotMatch(xml, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/);
    assert.doesNotMatch(
      xml,
      /(?:[\ud800-\udbff](?![\udc00-\udfff]))|(?:(?<![\ud800-\udbff])[\udc00-\udfff])/,
    );
    assert.doesNotMatch(xml, /a"b/);
    assert.match(xml, /<testcase classname="r-report" name="a&quot;b&apos;c&lt;d&gt;e&amp;f\\u\{1\}/);
  });

  it('fails a run with malformed captures in a case of its own', () => {
    const xml = renderJUnit({ ...report, malformed: 2 });
    assert.match(xml, /<testcase classname="r-report" name="malformed captures">/);
    assert.match(xml, /tests="3" failures="2"/);
  });
});
