import { exitCodeOf } from './exit-code.ts';
import { formatCount, plural } from './format-count.ts';
import type { ReconcilerReport, RunReport } from './run-report.ts';
import { svgBarChart, svgTimeChart } from './svg-bar-chart.ts';
import { xmlText as text } from './xml-text.ts';

/**
 * One self-contained HTML page: inline CSS and SVG, no script, no external asset, so it can be
 * attached to a CI run and opened anywhere. Charts: mismatches by message type, results over
 * comparison time; then per reconciler its outcome counts, difference paths with examples, errors.
 */
export function renderHtml(report: RunReport): string {
  const { summary } = report;
  const verdict = exitCodeOf(report) === 0;
  const sections = [
    `<h1>Shadow regression: ${text(report.run)}</h1>`,
    `<p class="verdict ${verdict ? 'pass' : 'fail'}">${verdict ? 'PASS: no differences' : 'FAIL: differences found'}</p>`,
    `<table class="summary"><tbody>${[
      ['Groups', summary.groups],
      ['Compared', summary.compared],
      ['Baseline messages', summary.messages.baseline],
      ['Candidate messages', summary.messages.candidate],
      ['Late messages', summary.lateMessages],
      ['Malformed captures', report.malformed],
    ]
      .map(([label, value]) => `<tr><th>${label}</th><td>${formatCount(Number(value))}</td></tr>`)
      .join('')}</tbody></table>`,
    '<h2>Mismatches by message type</h2>',
    report.mismatchesByMessageType.length > 0
      ? `<figure id="by-message-type">${svgBarChart(
          report.mismatchesByMessageType.map((row) => ({ label: row.messageType, value: row.mismatches })),
          'Mismatches by message type',
        )}</figure>`
      : '<p id="by-message-type" class="none">No mismatches.</p>',
    '<h2>Results over time</h2>',
    report.overTime.buckets.length > 0
      ? `<figure id="over-time">${svgTimeChart(report.overTime.buckets, 'Results over time')}<figcaption>Results per ${formatCount(report.overTime.bucketMs / 1000)} s of comparison time, from ${text(report.overTime.buckets[0]?.start ?? '')}; failed in red.</figcaption></figure>`
      : '<p id="over-time" class="none">No results yet.</p>',
    '<h2>Latency, candidate vs baseline</h2>',
    latencySection(report),
    ...report.reconcilers.map(reconcilerSection),
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shadow regression: ${text(report.run)}</title>
<style>${css}</style>
</head>
<body>
${sections.join('\n')}
<footer>Generated ${text(report.generatedAt)}; at most ${report.limits.examples} examples per difference.</footer>
</body>
</html>
`;
}

/** Median per message type and side as bars (baseline then candidate), and a table with p95 and the ratio. */
function latencySection(report: RunReport): string {
  const { byType } = report.latency;
  if (byType.length === 0) return '<p id="latency" class="none">No messages captured on both sides.</p>';
  const bars = byType.flatMap((row) => [
    ...(row.baseline ? [{ label: `${row.messageType} · baseline`, value: row.baseline.p50Ms }] : []),
    ...(row.candidate ? [{ label: `${row.messageType} · candidate`, value: row.candidate.p50Ms }] : []),
  ]);
  const cell = (side: { p50Ms: number; p95Ms: number } | undefined) =>
    side
      ? `<td>${formatCount(side.p50Ms)} ms</td><td>${formatCount(side.p95Ms)} ms</td>`
      : '<td>—</td><td>—</td>';
  const ratio = (row: (typeof byType)[number]) =>
    row.baseline && row.candidate && row.baseline.p50Ms > 0
      ? `${(row.candidate.p50Ms / row.baseline.p50Ms).toFixed(2)}×`
      : '—';
  const rows = byType
    .map(
      (row) =>
        `<tr><th>${text(row.messageType)}</th>${cell(row.baseline)}${cell(row.candidate)}<td>${ratio(row)}</td></tr>`,
    )
    .join('');
  return [
    `<figure id="latency">${svgBarChart(bars, 'Median latency per message type, baseline and candidate')}`,
    `<figcaption>Median, in ms: ${text(report.latency.measure)}.${report.latency.otherTypes > 0 ? ` ${formatCount(report.latency.otherTypes)} more types not shown.` : ''}</figcaption></figure>`,
    `<table class="latency"><thead><tr><th>message type</th><th>baseline p50</th><th>baseline p95</th><th>candidate p50</th><th>candidate p95</th><th>candidate ÷ baseline (p50)</th></tr></thead><tbody>${rows}</tbody></table>`,
  ].join('');
}

function reconcilerSection(reconciler: ReconcilerReport): string {
  const counts = Object.entries(reconciler.byOutcome)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, count]) => `<li class="kind-${text(kind)}">${text(kind)}: ${formatCount(count)}</li>`)
    .join('');
  const paths = reconciler.differencePaths.map(
    (path) =>
      `<details class="difference"><summary><code>${text(path.path || '(whole message)')}</code>${
        path.messageType ? ` in <code>${text(path.messageType)}</code>` : ''
      }: ${plural(path.groups, 'group', 'groups')}</summary><table class="examples"><thead><tr><th>Group</th><th>Baseline</th><th>Candidate</th></tr></thead><tbody>${path.examples
        .map(
          (example) =>
            `<tr class="example"><td>${text(example.groupKey)}</td><td><pre>${text(json(example.baseline))}</pre></td><td><pre>${text(json(example.candidate))}</pre></td></tr>`,
        )
        .join('')}</tbody></table></details>`,
  );
  const errors = reconciler.errors.map(
    (error) =>
      `<li class="error"><pre>${text(error.error)}</pre>${plural(error.groups, 'group', 'groups')}, e.g. ${error.examples.map(text).join(', ')}</li>`,
  );
  return [
    `<section class="reconciler"><h2>Reconciler ${text(reconciler.name)}</h2>`,
    `<ul class="counts">${counts}</ul>`,
    paths.length > 0 ? `<h3>Differences</h3>${paths.join('')}` : '',
    reconciler.otherPathGroups > 0
      ? `<p>And ${plural(reconciler.otherPathGroups, 'group', 'groups')} at paths beyond the first ${reconciler.differencePaths.length}.</p>`
      : '',
    errors.length > 0 ? `<h3>Reconciler errors</h3><ul>${errors.join('')}</ul>` : '',
    '</section>',
  ].join('');
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'undefined';
}

const css = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #1d2330; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #dde; }
.verdict { font-weight: 600; padding: .4rem .8rem; display: inline-block; border-radius: 4px; }
.pass { background: #e3f5e6; color: #1b6b2c; } .fail { background: #fbe4e4; color: #9b1c1c; }
table { border-collapse: collapse; } th, td { text-align: left; padding: .25rem .6rem; border-bottom: 1px solid #eef; vertical-align: top; }
.chart text { font-size: 12px; fill: #1d2330; }
.chart .bar { fill: #c0392b; } .chart .column { fill: #b8c2d6; } .chart .column-failed { fill: #c0392b; }
.counts { list-style: none; padding: 0; display: flex; gap: 1rem; flex-wrap: wrap; }
.counts li { background: #f2f4f8; padding: .2rem .6rem; border-radius: 4px; }
.kind-mismatch, .kind-reconciler-error, .kind-missing-in-candidate, .kind-missing-in-baseline { color: #9b1c1c; }
pre { margin: 0; white-space: pre-wrap; word-break: break-all; max-width: 420px; font-size: 12px; }
details { margin: .4rem 0; } summary { cursor: pointer; }
.none { color: #667; } footer { margin-top: 3rem; color: #667; font-size: 12px; }
`;
