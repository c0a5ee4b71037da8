import type { Difference } from './difference.ts';
import { renderedPathMatches } from './field-path.ts';
import type { GroupOutcome, ReconcilerOutcome } from './group-outcome.ts';

/** One group's outcome from comparing the baseline with the second baseline (`candidateEnvironment: 'baseline-2'`). */
export type NoiseSample = ReconcilerOutcome;

export interface NoisyPath {
  readonly reconciler: string;
  /** The message type URN, or undefined for differences a reconciler reported without one. */
  readonly messageType: string | undefined;
  /** Generalised: indices and list keys become `[*]`, so `lines[3].id` is learned as `lines[*].id`. */
  readonly path: string;
  /** In how many baseline/baseline-2 groups it differed. */
  readonly occurrences: number;
  /** occurrences / the reconciler's compared groups. */
  readonly rate: number;
}

/** Plain data, so it can be stored with the run and shown in the report. */
export interface NoiseModel {
  /** Groups compared per reconciler (the rate's denominator). */
  readonly groups: Readonly<Record<string, number>>;
  readonly paths: readonly NoisyPath[];
}

export interface LearnNoiseOptions {
  /** Least groups a path must differ in to be noise (default 1). */
  readonly minOccurrences?: number;
  /** Least share of the reconciler's groups it must differ in (default 0). */
  readonly minRate?: number;
}

/** `lines[3].id` → `lines[*].id`; `["A-1"].amount` → `[*].amount`. */
export function generalisePath(path: string): string {
  return path.replace(/\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\]/g, '[*]');
}

/**
 * Learns which fields differ between two runs of the same system on the same input. The rule: a path is
 * noise for a reconciler and message type when it differed in at least `minOccurrences` groups (default
 * one) and at least `minRate` of that reconciler's groups (default 0). One occurrence is enough by default
 * because identical runs should never differ: a field that did once (a generated id, a timestamp) is not
 * deterministic, and calling its differences real would drown the report. Raise the thresholds when the
 * second baseline is itself flaky (e.g. it missed messages) and rare paths should stay visible.
 * A path counts once per group however often it differed in it. Groups whose outcome is not a mismatch
 * count in the denominator only: a group missing on one baseline says nothing about fields.
 */
export function learnNoise(samples: readonly NoiseSample[], options: LearnNoiseOptions = {}): NoiseModel {
  const minOccurrences = options.minOccurrences ?? 1;
  const minRate = options.minRate ?? 0;
  const groups: Record<string, number> = {};
  const counts = new Map<
    string,
    { reconciler: string; messageType: string | undefined; path: string; n: number }
  >();
  for (const { reconciler, outcome } of samples) {
    groups[reconciler] = (groups[reconciler] ?? 0) + 1;
    if (outcome.kind !== 'mismatch') continue;
    const seen = new Set<string>();
    for (const difference of outcome.differences) {
      const path = generalisePath(difference.path);
      const id = JSON.stringify([reconciler, difference.messageType ?? null, path]);
      if (seen.has(id)) continue;
      seen.add(id);
      const entry = counts.get(id) ?? { reconciler, messageType: difference.messageType, path, n: 0 };
      entry.n += 1;
      counts.set(id, entry);
    }
  }
  const paths: NoisyPath[] = [];
  for (const entry of counts.values()) {
    const rate = entry.n / (groups[entry.reconciler] ?? 1);
    if (entry.n >= minOccurrences && rate >= minRate) {
      paths.push({
        reconciler: entry.reconciler,
        messageType: entry.messageType,
        path: entry.path,
        occurrences: entry.n,
        rate,
      });
    }
  }
  paths.sort((a, b) => (a.reconciler + a.path < b.reconciler + b.path ? -1 : 1));
  return { groups, paths };
}

function isNoise(model: NoiseModel, reconciler: string, difference: Difference): boolean {
  return model.paths.some(
    (noisy) =>
      noisy.reconciler === reconciler &&
      noisy.messageType === difference.messageType &&
      renderedPathMatches(noisy.path, generalisePath(difference.path)),
  );
}

/**
 * Splits a mismatch's differences into real ones and noise: a mismatch left with no real difference is a
 * match that notes its noise. Other outcomes pass through: noise is about fields, not missing messages.
 */
export function applyNoise(result: ReconcilerOutcome, model: NoiseModel): ReconcilerOutcome {
  const outcome = result.outcome;
  if (outcome.kind !== 'mismatch') return result;
  const real: Difference[] = [];
  const noise: Difference[] = [...(outcome.noise ?? [])];
  for (const difference of outcome.differences) {
    (isNoise(model, result.reconciler, difference) ? noise : real).push(difference);
  }
  const next: GroupOutcome =
    real.length === 0
      ? { kind: 'match', noise }
      : noise.length === 0
        ? { kind: 'mismatch', differences: real }
        : { kind: 'mismatch', differences: real, noise };
  return { reconciler: result.reconciler, outcome: next };
}
