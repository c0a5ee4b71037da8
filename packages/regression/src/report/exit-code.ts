import type { RunReport } from './run-report.ts';

/**
 * The process exit code for CI: 0 when every result is a match or not applicable (no mismatch, no
 * side missing, no reconciler error) and no capture was malformed; 1 otherwise. Outcomes of a kind
 * this version does not know also fail: an unknown result is not a pass. Late messages and noise do
 * not fail a run; they are reported.
 */
export function exitCodeOf(report: RunReport): 0 | 1 {
  if (report.malformed > 0) return 1;
  for (const reconciler of report.reconcilers) {
    for (const [kind, count] of Object.entries(reconciler.byOutcome)) {
      if (count > 0 && !isPassingKind(kind)) return 1;
    }
  }
  return 0;
}

const passingKinds: ReadonlySet<unknown> = new Set(['match', 'not-applicable']);

/** True for an outcome kind that passes a run: a match, or no reconciler applied. Anything else fails, an unknown kind included. */
export function isPassingKind(kind: unknown): boolean {
  return passingKinds.has(kind);
}
