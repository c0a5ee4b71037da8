import type { RunReport } from './run-report.ts';
import { xmlText } from './xml-text.ts';

/**
 * JUnit XML for CI: one `<testsuite>` for the run, one `<testcase>` per reconciler, one `<failure>` per
 * failed group (mismatch, side missing, reconciler error) up to the report's `maxFailures`; when more
 * failed, the last failure says how many are not listed. A reconciler with no failures passes.
 * Malformed captures are a test case of their own, so CI fails on them as `exitCodeOf` does.
 */
export function renderJUnit(report: RunReport): string {
  const cases: string[] = [];
  let failures = 0;
  for (const reconciler of report.reconcilers) {
    const name = xmlText(reconciler.name);
    const lines = [
      `    <testcase classname="${xmlText(report.run)}" name="${name}" assertions="${reconciler.results}">`,
    ];
    if (reconciler.failureCount > 0) failures += 1;
    for (const failure of reconciler.failures) {
      lines.push(
        `      <failure type="${xmlText(failure.kind)}" message="${xmlText(`${failure.groupKey}: ${failure.detail}`)}">${xmlText(failure.detail)}</failure>`,
      );
    }
    const rest = reconciler.failureCount - reconciler.failures.length;
    if (rest > 0) {
      lines.push(
        `      <failure type="more" message="${rest} more failed groups not listed (${reconciler.failureCount} in all)"/>`,
      );
    }
    lines.push(`      <system-out>${xmlText(countsOf(reconciler.byOutcome))}</system-out>`);
    lines.push('    </testcase>');
    cases.push(lines.join('\n'));
  }
  if (report.malformed > 0) {
    failures += 1;
    cases.push(
      `    <testcase classname="${xmlText(report.run)}" name="malformed captures">\n      <failure type="malformed" message="${report.malformed} captured bodies were not readable envelopes"/>\n    </testcase>`,
    );
  }
  const tests = cases.length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="shadow regression" tests="${tests}" failures="${failures}" errors="0">`,
    `  <testsuite name="${xmlText(report.run)}" tests="${tests}" failures="${failures}" errors="0" skipped="0" timestamp="${xmlText(report.generatedAt)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function countsOf(byOutcome: Readonly<Record<string, number>>): string {
  return Object.entries(byOutcome)
    .map(([kind, count]) => `${kind}: ${count}`)
    .join(', ');
}
