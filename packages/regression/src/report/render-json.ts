import type { RunReport } from './run-report.ts';

/** The report as indented JSON, for tools and for keeping beside a CI run. */
export function renderJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
