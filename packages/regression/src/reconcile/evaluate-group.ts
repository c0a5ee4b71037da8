import type { CapturedMessage } from '../captured-message.ts';
import { checkReconcilers, type Reconciler } from './define-reconciler.ts';
import type { Difference } from './difference.ts';
import { renderedPathMatches } from './field-path.ts';
import type { GroupOutcome, ReconcilerOutcome } from './group-outcome.ts';
import { dedupeAndOrder, sideView } from './side-view.ts';
import { type Toolkit, toolkit } from './toolkit.ts';

export interface EvaluateGroupOptions {
  /**
   * Which environment plays the candidate (default `candidate`). Noise learning passes `baseline-2`, so
   * the same reconcilers compare the two baselines. Messages of any other environment are left out.
   */
  readonly candidateEnvironment?: 'candidate' | 'baseline-2';
  readonly toolkit?: Toolkit;
}

/**
 * One outcome per applicable reconciler, in the reconcilers' order. Applicability, per reconciler, over
 * the messages of its declared types only:
 * - neither side has any → not applicable, no outcome (another reconciler's business, or an empty group);
 * - only the baseline has some → `missing-in-candidate` (compare is not called: the candidate produced
 *   nothing it could be compared with); only the candidate → `missing-in-baseline`;
 * - both → compare; an empty result is a match, a thrown error or rejection a `reconciler-error`.
 * Messages are deduplicated by id per side and sorted by sent time, so redelivered captures and arrival
 * order do not change the outcome. Never throws for a reconciler's error; throws only for a reconciler
 * set whose names clash (a definition error, found before any comparing).
 */
export async function evaluateGroup(
  reconcilers: readonly Reconciler[],
  messages: readonly CapturedMessage[],
  options: EvaluateGroupOptions = {},
): Promise<ReconcilerOutcome[]> {
  checkReconcilers(reconcilers);
  const candidateEnvironment = options.candidateEnvironment ?? 'candidate';
  const t = options.toolkit ?? toolkit;
  const baseline = dedupeAndOrder(messages.filter((m) => m.environment === 'baseline'));
  const candidate = dedupeAndOrder(messages.filter((m) => m.environment === candidateEnvironment));
  const results: ReconcilerOutcome[] = [];
  for (const reconciler of reconcilers) {
    const outcome = await evaluateOne(reconciler, baseline, candidate, t);
    if (outcome !== undefined) results.push({ reconciler: reconciler.name, outcome });
  }
  return results;
}

async function evaluateOne(
  reconciler: Reconciler,
  allBaseline: readonly CapturedMessage[],
  allCandidate: readonly CapturedMessage[],
  t: Toolkit,
): Promise<GroupOutcome | undefined> {
  const urns = new Set(reconciler.messageUrns);
  const baseline = allBaseline.filter((m) => urns.has(m.messageType));
  const candidate = allCandidate.filter((m) => urns.has(m.messageType));
  if (baseline.length === 0 && candidate.length === 0) return undefined;
  if (candidate.length === 0) return { kind: 'missing-in-candidate' };
  if (baseline.length === 0) return { kind: 'missing-in-baseline' };
  let found: unknown;
  try {
    found = await reconciler.compare(sideView('baseline', baseline), sideView('candidate', candidate), t);
  } catch (error) {
    return { kind: 'reconciler-error', error: error instanceof Error ? error.message : String(error) };
  }
  if (found !== undefined && !Array.isArray(found)) {
    return { kind: 'reconciler-error', error: `compare returned ${typeof found}, not a list of differences` };
  }
  const ignore = reconciler.ignore ?? [];
  const differences = ((found ?? []) as readonly Difference[]).filter(
    (d) => !ignore.some((pattern) => renderedPathMatches(pattern, d.path)),
  );
  return differences.length === 0 ? { kind: 'match' } : { kind: 'mismatch', differences };
}
