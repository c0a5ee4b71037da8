import type { Difference } from './difference.ts';
import { diffCounts, diffMessageLists } from './message-lists.ts';
import { diff } from './structural-diff.ts';

/** The helpers a reconciler's compare gets as `t`; all pure, so a reconciler is testable on its own. */
export interface Toolkit {
  readonly diff: typeof diff;
  readonly diffMessageLists: typeof diffMessageLists;
  readonly diffCounts: typeof diffCounts;
  /** One difference by hand, for a rule the structural diff cannot say. */
  difference(path: string, baseline: unknown, candidate: unknown, messageType?: string): Difference;
}

export const toolkit: Toolkit = Object.freeze({
  diff,
  diffMessageLists,
  diffCounts,
  difference(path: string, baseline: unknown, candidate: unknown, messageType?: string): Difference {
    const kind =
      candidate === undefined
        ? 'missing-in-candidate'
        : baseline === undefined
          ? 'missing-in-baseline'
          : 'changed';
    return messageType === undefined
      ? { path, baseline, candidate, kind }
      : { path, baseline, candidate, kind, messageType };
  },
});
