import { renderTerminal } from '@switchyard/regression';
import type { DemoRun, RegressionDemoResult } from './regression-demo.ts';

/** Whether a run found exactly what it had to: nothing missed, nothing extra. */
export function isExact(run: DemoRun): boolean {
  return missedOf(run).length === 0 && extraOf(run).length === 0;
}

function missedOf(run: DemoRun): string[] {
  return run.expected.filter((group) => !run.found.includes(group));
}

function extraOf(run: DemoRun): string[] {
  return run.found.filter((group) => !run.expected.includes(group));
}

/** The demo's answer for a person: each run's report, then what it had to find and what it found. */
export function describeDemo(result: RegressionDemoResult): string {
  const verdict = (title: string, run: DemoRun) => {
    const missed = missedOf(run);
    const extra = extraOf(run);
    return [
      `${title}: expected ${run.expected.length} of ${result.customers} customers to differ, found ${run.found.length}; ` +
        `missed ${missed.length}, found beyond them ${extra.length}${isExact(run) ? ' — exact' : ''}`,
      ...(missed.length > 0 ? [`  missed: ${missed.join(', ')}`] : []),
      ...(extra.length > 0 ? [`  not expected: ${extra.join(', ')}`] : []),
    ].join('\n');
  };
  return [
    '== Release vs release (no change) ==',
    renderTerminal(result.unchanged.report),
    '',
    '== Release vs candidate (halves rounded down) ==',
    renderTerminal(result.changed.report),
    '',
    verdict('No change', result.unchanged),
    verdict('Halves rounded down', result.changed),
  ].join('\n');
}
