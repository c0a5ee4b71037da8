import type { CapturedMessage } from '../captured-message.ts';
import { ReconcilerDefinitionError } from '../regression-errors.ts';
import { type MessageOfRef, type MessageRef, urnOf } from './side-view.ts';
import type { NumericTolerance } from './structural-diff.ts';

export interface ControlTotalSpec<R extends MessageRef> {
  readonly name: string;
  readonly messages: readonly R[];
  /** The bucket a message counts in, e.g. its invoice day or posting account; undefined leaves it out. */
  bucket(message: MessageOfRef<R>, captured: CapturedMessage): string | undefined;
  /** What it adds to its bucket, e.g. the invoiced amount; 1 counts messages. */
  amount(message: MessageOfRef<R>, captured: CapturedMessage): number;
  /**
   * How far the sides' totals may be apart and still match. Default: 1e-9 absolute, only to absorb
   * floating-point summing; money is best summed in minor units (integers), where it is exact.
   */
  readonly tolerance?: NumericTolerance;
}

export interface ControlTotal<R extends MessageRef = MessageRef> extends ControlTotalSpec<R> {
  readonly messageUrns: readonly string[];
}

export function defineControlTotal<const R extends MessageRef>(spec: ControlTotalSpec<R>): ControlTotal<R> {
  const label =
    typeof spec.name === 'string' && spec.name.trim() !== ''
      ? `Control total "${spec.name}"`
      : 'A control total';
  if (typeof spec.name !== 'string' || spec.name.trim() === '') {
    throw new ReconcilerDefinitionError(`${label} has no name: a control total's name must be non-empty`);
  }
  if (!Array.isArray(spec.messages) || spec.messages.length === 0) {
    throw new ReconcilerDefinitionError(`${label} declares no message types: it must total at least one`);
  }
  return Object.freeze({ ...spec, messageUrns: spec.messages.map(urnOf) });
}

export interface BucketTotal {
  readonly total: string;
  readonly bucket: string;
  readonly baseline: number;
  readonly candidate: number;
  /** candidate − baseline. */
  readonly difference: number;
  readonly baselineCount: number;
  readonly candidateCount: number;
  readonly outcome: 'match' | 'mismatch';
}

interface Running {
  baseline: number;
  candidate: number;
  baselineCount: number;
  candidateCount: number;
}

/**
 * Folds a run's messages one at a time into per-bucket sums: memory grows with the buckets (days,
 * accounts), never with the messages, so a whole run can stream through it. It does not deduplicate —
 * that would need every message id in memory — so feed it each captured message once (the capture store
 * keeps one row per environment and message id). Messages of `baseline-2` are left out.
 */
export class ControlTotalsAccumulator {
  readonly #totals: readonly ControlTotal[];
  readonly #running = new Map<string, Map<string, Running>>();

  constructor(totals: readonly ControlTotal[]) {
    const names = new Set<string>();
    for (const total of totals) {
      if (names.has(total.name)) {
        throw new ReconcilerDefinitionError(
          `Control total "${total.name}" is defined twice: names must be unique`,
        );
      }
      names.add(total.name);
    }
    this.#totals = totals;
  }

  add(captured: CapturedMessage): void {
    if (captured.environment !== 'baseline' && captured.environment !== 'candidate') return;
    for (const total of this.#totals) {
      if (!total.messageUrns.includes(captured.messageType)) continue;
      const bucket = total.bucket(captured.message, captured);
      if (bucket === undefined) continue;
      const amount = total.amount(captured.message, captured);
      let buckets = this.#running.get(total.name);
      if (buckets === undefined) {
        buckets = new Map();
        this.#running.set(total.name, buckets);
      }
      let running = buckets.get(bucket);
      if (running === undefined) {
        running = { baseline: 0, candidate: 0, baselineCount: 0, candidateCount: 0 };
        buckets.set(bucket, running);
      }
      running[captured.environment] += amount;
      running[captured.environment === 'baseline' ? 'baselineCount' : 'candidateCount'] += 1;
    }
  }

  /** Every bucket of every total so far, sorted by total then bucket. */
  results(): BucketTotal[] {
    const out: BucketTotal[] = [];
    for (const total of this.#totals) {
      const buckets = this.#running.get(total.name);
      if (buckets === undefined) continue;
      for (const bucket of [...buckets.keys()].sort()) {
        const r = buckets.get(bucket) as Running;
        const difference = r.candidate - r.baseline;
        const matches = withinTolerance(r.baseline, r.candidate, total.tolerance ?? { absolute: 1e-9 });
        out.push({
          total: total.name,
          bucket,
          baseline: r.baseline,
          candidate: r.candidate,
          difference,
          baselineCount: r.baselineCount,
          candidateCount: r.candidateCount,
          outcome: matches ? 'match' : 'mismatch',
        });
      }
    }
    return out;
  }
}

function withinTolerance(a: number, b: number, tolerance: NumericTolerance): boolean {
  const gap = Math.abs(a - b);
  if (gap === 0) return true;
  if (tolerance.absolute !== undefined && gap <= tolerance.absolute) return true;
  return tolerance.relative !== undefined && gap <= tolerance.relative * Math.max(Math.abs(a), Math.abs(b));
}

/** Totals over a finite list or any iterable, e.g. a store cursor; the fold keeps buckets only. */
export async function evaluateControlTotals(
  totals: readonly ControlTotal[],
  messages: Iterable<CapturedMessage> | AsyncIterable<CapturedMessage>,
): Promise<BucketTotal[]> {
  const accumulator = new ControlTotalsAccumulator(totals);
  for await (const message of messages) accumulator.add(message);
  return accumulator.results();
}
