import { exitCodeOf } from './exit-code.ts';
import { formatCount, plural } from './format-count.ts';
import type { RunReport } from './run-report.ts';
import { shortText } from './short-text.ts';

/** How many difference paths and errors to list per reconciler in the terminal. */
const topShown = 5;

/** A compact plain-text summary: counts per reconciler and outcome, the top differences, the verdict. */
export function renderTerminal(report: RunReport): string {
  const { summary } = report;
  const lines = [
    `Run ${report.run}: ${plural(summary.groups, 'group', 'groups')}, ${formatCount(summary.compared)} compared, ` +
      `${plural(summary.messages.baseline, 'baseline message', 'baseline messages')}, ` +
      `${plural(summary.messages.candidate, 'candidate message', 'candidate messages')}`,
  ];
  if (summary.lateMessages > 0)
    lines.push(`  ${plural(summary.lateMessages, 'group', 'groups')} got messages after being compared`);
  if (report.malformed > 0)
    lines.push(`  ${plural(report.malformed, 'malformed capture', 'malformed captures')}`);
  for (const reconciler of report.reconcilers) {
    const counts = Object.entries(reconciler.byOutcome)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, count]) => `${kind} ${formatCount(count)}`)
      .join(', ');
    lines.push('', `${oneLine(reconciler.name)}: ${counts}`);
    for (const path of reconciler.differencePaths.slice(0, topShown)) {
      const where = path.messageType ? `${oneLine(path.messageType)} ` : '';
      const example = path.examples[0];
      const sample = example
        ? ` e.g. ${oneLine(example.groupKey)}: ${valueText(example.baseline)} → ${valueText(example.candidate)}`
        : '';
      lines.push(
        `  ${plural(path.groups, 'group differs', 'groups differ')} at ${where}${oneLine(path.path) || '(whole message)'}${sample}`,
      );
    }
    const morePaths = reconciler.differencePaths.length - topShown;
    if (morePaths > 0) lines.push(`  and ${plural(morePaths, 'more path', 'more paths')}`);
    if (reconciler.otherPathGroups > 0)
      lines.push(`  and ${plural(reconciler.otherPathGroups, 'group', 'groups')} at paths not tracked`);
    for (const error of reconciler.errors.slice(0, topShown)) {
      lines.push(
        `  ${plural(error.groups, 'group', 'groups')} failed: ${oneLine(shortText(error.error, 120))}`,
      );
    }
  }
  const both = report.latency.byType.filter((row) => row.baseline && row.candidate).slice(0, 5);
  if (both.length > 0) {
    lines.push('', "Latency p50 from the group's first message, baseline → candidate:");
    for (const row of both) {
      lines.push(
        `  ${oneLine(row.messageType)}: ${formatCount(row.baseline?.p50Ms ?? 0)} ms → ${formatCount(row.candidate?.p50Ms ?? 0)} ms`,
      );
    }
  }
  lines.push('', exitCodeOf(report) === 0 ? 'PASS: no differences' : 'FAIL: differences found', '');
  return lines.join('\n');
}

function valueText(value: unknown): string {
  return oneLine(shortText(JSON.stringify(value) ?? 'undefined', 60));
}

/** Keeps one finding per line: control characters (newlines, escapes) would break or colour the terminal. */
function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => `\\u{${char.charCodeAt(0).toString(16)}}`);
}
