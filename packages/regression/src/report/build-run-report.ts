import type { Difference } from '../reconcile/difference.ts';
import { generalisePath } from '../reconcile/noise.ts';
import type { CaptureStore, ComparisonResult, MessageTypeLatency } from '../store/capture-store.ts';
import type {
  DifferenceExample,
  FailedGroup,
  LatencyReport,
  MessageTypeMismatches,
  ReconcilerReport,
  RunReport,
  RunReportLimits,
  TimeBucket,
} from './run-report.ts';
import { failingKinds } from './run-report.ts';
import { shortText } from './short-text.ts';

export interface BuildRunReportOptions extends Partial<RunReportLimits> {
  /** Results read per page; default 500. */
  readonly pageSize?: number;
  /** Width of an over-time interval; default one minute. */
  readonly bucketMs?: number;
  /** The report's timestamp; default now. */
  readonly now?: Date;
}

/** Where a message type is not known (a side missing, a difference across messages). */
export const unknownMessageType = '(no message type)';

/**
 * Reads a run's results page by page and aggregates them. Memory is bounded by the number of
 * reconcilers, difference paths (at most `maxPaths` each) and time intervals, never by the number of
 * results: counts are kept, and only the first few examples.
 */
export async function buildRunReport(
  store: CaptureStore,
  run: string,
  options: BuildRunReportOptions = {},
): Promise<RunReport> {
  const limits: RunReportLimits = {
    examples: options.examples ?? 5,
    maxPaths: options.maxPaths ?? 100,
    maxFailures: options.maxFailures ?? 50,
    maxValueChars: options.maxValueChars ?? 500,
  };
  const bucketMs = options.bucketMs ?? 60_000;
  const reconcilers = new Map<string, ReconcilerAggregate>();
  const byMessageType = new Map<string, number>();
  const buckets = new Map<number, { compared: number; failed: number }>();
  let after: number | undefined;
  do {
    const page = await store.results(run, { after, limit: options.pageSize ?? 500 });
    for (const result of page.results) {
      let aggregate = reconcilers.get(result.reconciler);
      if (!aggregate) {
        aggregate = new ReconcilerAggregate(result.reconciler, limits);
        reconcilers.set(result.reconciler, aggregate);
      }
      const kind = aggregate.add(result);
      if (kind === 'mismatch') {
        for (const type of messageTypesOf(differencesOf(result.outcome))) {
          byMessageType.set(type, (byMessageType.get(type) ?? 0) + 1);
        }
      }
      const time = Date.parse(result.comparedAt);
      if (Number.isFinite(time)) {
        const start = Math.floor(time / bucketMs) * bucketMs;
        const bucket = buckets.get(start) ?? { compared: 0, failed: 0 };
        bucket.compared += 1;
        if (failingKinds.has(kind)) bucket.failed += 1;
        buckets.set(start, bucket);
      }
    }
    after = page.next;
  } while (after !== undefined);
  const summary = await store.summary(run);
  const mismatchesByMessageType: MessageTypeMismatches[] = [...byMessageType]
    .map(([messageType, mismatches]) => ({ messageType, mismatches }))
    .sort((a, b) => b.mismatches - a.mismatches || a.messageType.localeCompare(b.messageType));
  const timeBuckets: TimeBucket[] = [...buckets]
    .sort(([a], [b]) => a - b)
    .map(([start, counts]) => ({ start: new Date(start).toISOString(), ...counts }));
  return {
    run,
    generatedAt: (options.now ?? new Date()).toISOString(),
    summary,
    reconcilers: [...reconcilers.values()]
      .map((aggregate) => aggregate.report())
      .sort((a, b) => a.name.localeCompare(b.name)),
    mismatchesByMessageType,
    overTime: { bucketMs, buckets: timeBuckets },
    latency: latencyReport(await store.latencyByType(run), maxLatencyTypes),
    malformed: summary.malformed,
    limits,
  };
}

/** Message types shown in the latency chart; a run with more shows the slowest. */
const maxLatencyTypes = 20;

function latencyReport(byType: readonly MessageTypeLatency[], limit: number): LatencyReport {
  const slowest = [...byType].sort(
    (a, b) =>
      (b.candidate?.p50Ms ?? -1) - (a.candidate?.p50Ms ?? -1) || a.messageType.localeCompare(b.messageType),
  );
  return {
    measure:
      "time from the group's first message on a side to that side's first message of the type, by the sender's clock",
    byType: slowest.slice(0, limit),
    otherTypes: Math.max(0, slowest.length - limit),
  };
}

class ReconcilerAggregate {
  readonly #name: string;
  readonly #limits: RunReportLimits;
  #results = 0;
  readonly #byOutcome: Record<string, number> = {};
  readonly #paths = new Map<string, PathAggregate>();
  #otherPathGroups = 0;
  readonly #errors = new Map<string, { groups: number; examples: string[] }>();
  #otherErrorGroups = 0;
  readonly #failures: FailedGroup[] = [];
  #failureCount = 0;

  constructor(name: string, limits: RunReportLimits) {
    this.#name = name;
    this.#limits = limits;
  }

  /** Counts one result; returns its outcome kind. */
  add(result: ComparisonResult): string {
    const kind = kindOf(result.outcome);
    this.#results += 1;
    this.#byOutcome[kind] = (this.#byOutcome[kind] ?? 0) + 1;
    if (kind === 'mismatch') this.#addDifferences(result.groupKey, differencesOf(result.outcome));
    if (kind === 'reconciler-error') this.#addError(result.groupKey, errorOf(result.outcome));
    if (failingKinds.has(kind)) {
      this.#failureCount += 1;
      if (this.#failures.length < this.#limits.maxFailures) {
        this.#failures.push({
          groupKey: result.groupKey,
          kind,
          detail: this.#detailOf(kind, result.outcome),
        });
      }
    }
    return kind;
  }

  #addDifferences(groupKey: string, differences: readonly Difference[]): void {
    // A path counts once per group, however many list items differed at it.
    const seen = new Set<string>();
    for (const difference of differences) {
      const path = generalisePath(difference.path);
      const key = `${difference.messageType ?? ''}\u0000${path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let aggregate = this.#paths.get(key);
      if (!aggregate) {
        if (this.#paths.size >= this.#limits.maxPaths) {
          this.#otherPathGroups += 1;
          continue;
        }
        aggregate = { path, messageType: difference.messageType, groups: 0, examples: [] };
        this.#paths.set(key, aggregate);
      }
      aggregate.groups += 1;
      if (aggregate.examples.length < this.#limits.examples) {
        aggregate.examples.push({
          groupKey,
          baseline: this.#bounded(difference.baseline),
          candidate: this.#bounded(difference.candidate),
        });
      }
    }
  }

  #addError(groupKey: string, error: string): void {
    const message = shortText(error, this.#limits.maxValueChars);
    let aggregate = this.#errors.get(message);
    if (!aggregate) {
      // Error texts often carry ids; cap the distinct ones like paths.
      if (this.#errors.size >= this.#limits.maxPaths) {
        this.#otherErrorGroups += 1;
        return;
      }
      aggregate = { groups: 0, examples: [] };
      this.#errors.set(message, aggregate);
    }
    aggregate.groups += 1;
    if (aggregate.examples.length < this.#limits.examples) aggregate.examples.push(groupKey);
  }

  #detailOf(kind: string, outcome: unknown): string {
    if (kind === 'reconciler-error') return shortText(errorOf(outcome), this.#limits.maxValueChars);
    if (kind !== 'mismatch') return kind;
    const differences = differencesOf(outcome);
    const shown = differences
      .slice(0, 3)
      .map(
        (difference) =>
          `${difference.path || '(whole message)'}: ${shortText(JSON.stringify(difference.baseline) ?? 'undefined', 80)} → ${shortText(JSON.stringify(difference.candidate) ?? 'undefined', 80)}`,
      );
    const rest = differences.length - shown.length;
    return shortText(
      `${shown.join('; ')}${rest > 0 ? `; and ${rest} more` : ''}`,
      this.#limits.maxValueChars,
    );
  }

  /** A value kept as is when small, else its JSON cut to `maxValueChars`. */
  #bounded(value: unknown): unknown {
    const json = JSON.stringify(value);
    if (json === undefined || json.length <= this.#limits.maxValueChars) return value;
    return shortText(json, this.#limits.maxValueChars);
  }

  report(): ReconcilerReport {
    return {
      name: this.#name,
      results: this.#results,
      byOutcome: { ...this.#byOutcome },
      differencePaths: [...this.#paths.values()]
        .sort((a, b) => b.groups - a.groups || a.path.localeCompare(b.path))
        .map((path) => ({ ...path, examples: [...path.examples] })),
      otherPathGroups: this.#otherPathGroups,
      errors: [
        ...[...this.#errors]
          .map(([error, aggregate]) => ({ error, groups: aggregate.groups, examples: aggregate.examples }))
          .sort((a, b) => b.groups - a.groups),
        ...(this.#otherErrorGroups > 0
          ? [{ error: '(other errors)', groups: this.#otherErrorGroups, examples: [] }]
          : []),
      ],
      failures: [...this.#failures],
      failureCount: this.#failureCount,
    };
  }
}

interface PathAggregate {
  readonly path: string;
  readonly messageType: string | undefined;
  groups: number;
  readonly examples: DifferenceExample[];
}

function kindOf(outcome: unknown): string {
  if (
    typeof outcome === 'object' &&
    outcome !== null &&
    'kind' in outcome &&
    typeof outcome.kind === 'string'
  ) {
    return outcome.kind;
  }
  return 'unknown';
}

/** Differences from a stored outcome, tolerating outcomes written by another version. */
function differencesOf(outcome: unknown): readonly Difference[] {
  if (typeof outcome !== 'object' || outcome === null || !('differences' in outcome)) return [];
  const { differences } = outcome;
  if (!Array.isArray(differences)) return [];
  return differences.filter(
    (difference): difference is Difference =>
      typeof difference === 'object' && difference !== null && typeof difference.path === 'string',
  );
}

function errorOf(outcome: unknown): string {
  if (typeof outcome === 'object' && outcome !== null && 'error' in outcome) return String(outcome.error);
  return '(no error text)';
}

function messageTypesOf(differences: readonly Difference[]): Set<string> {
  const types = new Set<string>();
  for (const difference of differences) types.add(difference.messageType ?? unknownMessageType);
  if (types.size === 0) types.add(unknownMessageType);
  return types;
}
