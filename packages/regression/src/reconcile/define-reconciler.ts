import type { CapturedMessage } from '../captured-message.ts';
import { ReconcilerDefinitionError } from '../regression-errors.ts';
import type { Difference } from './difference.ts';
import { type MessageRef, type SideView, urnOf } from './side-view.ts';
import type { Toolkit } from './toolkit.ts';

/** The differences found; `undefined` (or no return at all) and `[]` both mean a match. */
export type CompareResult = readonly Difference[] | undefined;

export interface ReconcilerSpec<R extends MessageRef> {
  /** Unique within a run's reconcilers: outcomes are recorded under it. */
  readonly name: string;
  /** The message types it compares; a group with none of them on either side is not its business. */
  readonly messages: readonly R[];
  /** The group key of a message (default: its correlation id); undefined leaves the message ungrouped. */
  readonly key?: (message: CapturedMessage) => string | undefined;
  /** The group is complete once both sides hold a message of one of these types. */
  readonly completeWhen?: readonly R[];
  /** Paths never reported for this reconciler, whatever compare returns (wildcards as in `t.diff`). */
  readonly ignore?: readonly string[];
  /** The differences, or nothing (or an empty list) for a match. */
  compare(baseline: SideView<R>, candidate: SideView<R>, t: Toolkit): CompareResult | Promise<CompareResult>;
}

export interface Reconciler<R extends MessageRef = MessageRef> extends ReconcilerSpec<R> {
  /** The declared types' URNs, for the store to select a group's messages by. */
  readonly messageUrns: readonly string[];
  /** `completeWhen`'s URNs, so the store can evaluate completion in SQL; empty when none declared. */
  readonly completeWhenUrns: readonly string[];
}

/** A reconciler, checked: a name and at least one message type. Typed: `compare` sees the declared types. */
export function defineReconciler<const R extends MessageRef>(spec: ReconcilerSpec<R>): Reconciler<R> {
  const label =
    typeof spec.name === 'string' && spec.name.trim() !== '' ? `Reconciler "${spec.name}"` : 'A reconciler';
  if (typeof spec.name !== 'string' || spec.name.trim() === '') {
    throw new ReconcilerDefinitionError(`${label} has no name: a reconciler's name must be non-empty`);
  }
  if (!Array.isArray(spec.messages) || spec.messages.length === 0) {
    throw new ReconcilerDefinitionError(`${label} declares no message types: it must compare at least one`);
  }
  if (typeof spec.compare !== 'function') {
    throw new ReconcilerDefinitionError(`${label} has no compare function`);
  }
  const messageUrns = spec.messages.map(urnOf);
  const completeWhenUrns = (spec.completeWhen ?? []).map(urnOf);
  const outside = completeWhenUrns.filter((urn) => !messageUrns.includes(urn));
  if (outside.length > 0) {
    throw new ReconcilerDefinitionError(
      `${label} completes on ${outside.join(', ')}, which it does not declare in messages: it would never see them`,
    );
  }
  return Object.freeze({ ...spec, messageUrns: [...new Set(messageUrns)], completeWhenUrns });
}

/** Checks a set of reconcilers run together: names unique, since outcomes are recorded per name. */
export function checkReconcilers(reconcilers: readonly Reconciler[]): void {
  const seen = new Set<string>();
  for (const reconciler of reconcilers) {
    if (seen.has(reconciler.name)) {
      throw new ReconcilerDefinitionError(
        `Reconciler "${reconciler.name}" is defined twice: names must be unique`,
      );
    }
    seen.add(reconciler.name);
  }
}
