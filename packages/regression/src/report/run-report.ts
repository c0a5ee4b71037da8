import type { MessageTypeLatency, RunSummary } from '../store/capture-store.ts';

/** One group shown as an example of a difference: the values each side had at that path. */
export interface DifferenceExample {
  readonly groupKey: string;
  readonly baseline: unknown;
  readonly candidate: unknown;
}

/** A difference path (array indexes generalised to `[*]`) and how many groups differed there. */
export interface DifferencePathReport {
  readonly path: string;
  readonly messageType: string | undefined;
  /** Groups whose outcome had at least one difference at this path. */
  readonly groups: number;
  readonly examples: readonly DifferenceExample[];
}

/** One reconciler error message and the groups it happened for. */
export interface ReconcilerErrorReport {
  readonly error: string;
  readonly groups: number;
  readonly examples: readonly string[];
}

/** A group that did not match: a mismatch, a side missing, or a reconciler that threw. */
export interface FailedGroup {
  readonly groupKey: string;
  readonly kind: string;
  /** A one-line description: the first differences, or the error. */
  readonly detail: string;
}

export interface ReconcilerReport {
  readonly name: string;
  /** Results recorded for this reconciler. */
  readonly results: number;
  /** Results by outcome kind (`unknown` when an outcome has no kind). */
  readonly byOutcome: Readonly<Record<string, number>>;
  /** Most frequent first. */
  readonly differencePaths: readonly DifferencePathReport[];
  /** Groups at paths beyond `maxPaths`, not broken down, so a run with unbounded paths stays bounded. */
  readonly otherPathGroups: number;
  readonly errors: readonly ReconcilerErrorReport[];
  /** The first `maxFailures` failed groups in result order. */
  readonly failures: readonly FailedGroup[];
  readonly failureCount: number;
}

export interface MessageTypeMismatches {
  readonly messageType: string;
  /** Distinct (group, reconciler) results with a difference in this message type. */
  readonly mismatches: number;
}

/** Results per interval of comparison time: when the comparers recorded them, not when messages were sent. */
export interface TimeBucket {
  /** ISO-8601 start of the interval. */
  readonly start: string;
  readonly compared: number;
  readonly failed: number;
}

/**
 * Candidate vs baseline latency per message type: how long after a group began each side sent the type
 * (from the capture store's sent times), at most `maxLatencyTypes` types, the slowest candidate first.
 */
export interface LatencyReport {
  readonly measure: string;
  readonly byType: readonly MessageTypeLatency[];
  /** Types beyond the bound, not shown. */
  readonly otherTypes: number;
}

/** Everything a report renderer needs; plain JSON. */
export interface RunReport {
  readonly run: string;
  readonly generatedAt: string;
  readonly summary: RunSummary;
  readonly reconcilers: readonly ReconcilerReport[];
  readonly mismatchesByMessageType: readonly MessageTypeMismatches[];
  readonly overTime: { readonly bucketMs: number; readonly buckets: readonly TimeBucket[] };
  readonly latency: LatencyReport;
  readonly malformed: number;
  readonly limits: RunReportLimits;
}

export interface RunReportLimits {
  /** Example groups kept per reconciler and difference path, and per reconciler error. */
  readonly examples: number;
  /** Distinct difference paths kept per reconciler. */
  readonly maxPaths: number;
  /** Failed groups listed per reconciler. */
  readonly maxFailures: number;
  /** Longest text kept for an example value or an error, in characters. */
  readonly maxValueChars: number;
}

/** The outcome kinds that make a run fail. */
export const failingKinds: ReadonlySet<string> = new Set([
  'mismatch',
  'missing-in-candidate',
  'missing-in-baseline',
  'reconciler-error',
]);
