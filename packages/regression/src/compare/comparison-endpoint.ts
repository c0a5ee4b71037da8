import { consumer, type ReceiveEndpointDefinition, receiveEndpoint } from '@switchyard/bus';
import type { CaptureStore, GroupMessages } from '../store/capture-store.ts';
import { CompareGroup, defaultComparisonEndpoint } from './compare-group.ts';

/** The reconciler name a group is recorded under when none of the run's reconcilers applies to it. */
export const noReconciler = '(none)';

/** One reconciler's outcome for a group, as the comparer records it. */
export interface GroupResult {
  readonly reconciler: string;
  readonly outcome: unknown;
}

/** Compares one group's messages: the reconcilers' outcomes. Never throws for a reconciler's own error. */
export type GroupComparer = (
  messages: GroupMessages,
  group: { run: string; groupKey: string },
) => Promise<readonly GroupResult[]>;

export interface ComparisonEndpointOptions {
  readonly store: CaptureStore;
  readonly compare: GroupComparer;
  /** The endpoint's name (default `switchyard.regression.compare`). */
  readonly name?: string;
  /** Groups compared at once by this process (default 8). */
  readonly concurrency?: number;
  /** Called after a group's results are recorded, with how many were new (a redelivery records none). */
  readonly onCompared?: (group: { run: string; groupKey: string }, recorded: number) => void;
}

/**
 * The receive endpoint that compares settled groups: loads the group's messages from the store, runs the
 * reconcilers, records each outcome. Recording is idempotent per group and reconciler, so a work item
 * redelivered after a comparer died mid-item is done again and counted once. A store that fails makes
 * the item fail and retry by the bus's recoverability; a reconciler that throws is an outcome, not a failure.
 */
export function comparisonEndpoint(options: ComparisonEndpointOptions): ReceiveEndpointDefinition {
  return receiveEndpoint(options.name ?? defaultComparisonEndpoint, {
    concurrency: options.concurrency ?? 8,
    consumers: [
      consumer(CompareGroup, async (work) => {
        const group = { run: work.run, groupKey: work.groupKey };
        const messages = await options.store.messagesOf(work.run, work.groupKey);
        const compared = await options.compare(messages, group);
        // A group no reconciler applies to is still compared, with nothing to say: recorded as such, so a
        // run knows every settled group was seen.
        const results =
          compared.length > 0
            ? compared
            : [{ reconciler: noReconciler, outcome: { kind: 'not-applicable' } }];
        let recorded = 0;
        for (const { reconciler, outcome } of results) {
          if ((await options.store.recordResult(work.run, work.groupKey, reconciler, outcome)) === 'recorded')
            recorded += 1;
        }
        options.onCompared?.(group, recorded);
      }),
    ],
  });
}
