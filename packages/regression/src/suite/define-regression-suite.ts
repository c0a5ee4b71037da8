import { entityNameFromUrn } from '@switchyard/bus';
import type { ControlTotal } from '../reconcile/control-totals.ts';
import { checkReconcilers, type Reconciler } from '../reconcile/define-reconciler.ts';
import { type MessageRef, urnOf } from '../reconcile/side-view.ts';
import { RegressionSuiteError } from '../regression-errors.ts';
import type { GroupKeyOf, SettleRule } from '../store/capture-store.ts';

/** When a suite's groups count as settled, unless a run says otherwise. */
export type SuiteSettleRule = Omit<SettleRule, 'now' | 'limit'>;

export interface RegressionSuiteSpec {
  /** Names the suite in reports and errors. */
  readonly name: string;
  /** The message types the taps capture: their exchanges get a capture queue bound to them. */
  readonly captures: readonly MessageRef[];
  readonly reconcilers: readonly Reconciler[];
  /** Control totals compared over the whole run after the groups (optional). */
  readonly controlTotals?: readonly ControlTotal[];
  /**
   * How captured messages are grouped (default: correlation id, else conversation id). A system whose
   * messages carry no shared correlation id across environments groups by a business key instead.
   */
  readonly groupKey?: GroupKeyOf;
  /** Default quiet period 5 s, maximum wait 5 minutes; completion from the reconcilers' `completeWhen`. */
  readonly settle?: Partial<SuiteSettleRule>;
}

/** What a team writes once next to its modules, and every regression command runs: `export const suite = ...`. */
export interface RegressionSuite {
  readonly name: string;
  /** The captured types' URNs. */
  readonly captureUrns: readonly string[];
  /** The exchanges a tap binds its capture queue to (one per captured type). */
  readonly exchanges: readonly string[];
  readonly reconcilers: readonly Reconciler[];
  readonly controlTotals: readonly ControlTotal[];
  readonly groupKey: GroupKeyOf | undefined;
  readonly settle: SuiteSettleRule;
}

const defaultQuietMs = 5_000;
const defaultMaxWaitMs = 300_000;

/**
 * Checks and completes a suite: at least one captured type and one reconciler, unique reconciler names,
 * every type a reconciler compares captured (or it would only ever see one side's silence), and a
 * settle rule whose maximum wait is not shorter than its quiet period.
 */
export function defineRegressionSuite(spec: RegressionSuiteSpec): RegressionSuite {
  const label = typeof spec.name === 'string' && spec.name.trim() !== '' ? `Suite "${spec.name}"` : '';
  if (!label) throw new RegressionSuiteError('A regression suite has no name: it must be non-empty');
  if (!Array.isArray(spec.captures) || spec.captures.length === 0) {
    throw new RegressionSuiteError(`${label} captures no message types: list at least one in captures`);
  }
  if (!Array.isArray(spec.reconcilers) || spec.reconcilers.length === 0) {
    throw new RegressionSuiteError(`${label} has no reconcilers: list at least one in reconcilers`);
  }
  checkReconcilers(spec.reconcilers);
  const captureUrns = [...new Set(spec.captures.map(urnOf))];
  for (const reconciler of spec.reconcilers) {
    const uncaptured = reconciler.messageUrns.filter((urn: string) => !captureUrns.includes(urn));
    if (uncaptured.length > 0) {
      throw new RegressionSuiteError(
        `${label}: reconciler "${reconciler.name}" compares ${uncaptured.join(', ')}, which the suite does not capture: add it to captures`,
      );
    }
  }
  const reconcilerCompletion = [...new Set(spec.reconcilers.flatMap((each) => each.completeWhenUrns))];
  const settle: SuiteSettleRule = {
    quietMs: spec.settle?.quietMs ?? defaultQuietMs,
    maxWaitMs: spec.settle?.maxWaitMs ?? defaultMaxWaitMs,
    ...(spec.settle?.completionTypes || reconcilerCompletion.length > 0
      ? { completionTypes: spec.settle?.completionTypes ?? reconcilerCompletion }
      : {}),
  };
  if (!(settle.quietMs >= 0) || !(settle.maxWaitMs >= settle.quietMs)) {
    throw new RegressionSuiteError(
      `${label}: settle.maxWaitMs (${settle.maxWaitMs}) must be at least settle.quietMs (${settle.quietMs}), and both non-negative`,
    );
  }
  return Object.freeze({
    name: spec.name,
    captureUrns,
    exchanges: captureUrns.map(entityNameFromUrn),
    reconcilers: spec.reconcilers,
    controlTotals: spec.controlTotals ?? [],
    groupKey: spec.groupKey,
    settle,
  });
}

/** True for what `defineRegressionSuite` returned (a module's `suite` export is checked with it). */
export function isRegressionSuite(value: unknown): value is RegressionSuite {
  if (typeof value !== 'object' || value === null) return false;
  const suite = value as Partial<RegressionSuite>;
  return (
    typeof suite.name === 'string' &&
    Array.isArray(suite.exchanges) &&
    Array.isArray(suite.reconcilers) &&
    typeof suite.settle === 'object'
  );
}
