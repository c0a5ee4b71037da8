import type { Difference } from './difference.ts';

/** What one reconciler found for one group. */
export type GroupOutcome =
  | { readonly kind: 'match'; readonly noise?: readonly Difference[] }
  | {
      readonly kind: 'mismatch';
      readonly differences: readonly Difference[];
      readonly noise?: readonly Difference[];
    }
  | { readonly kind: 'missing-in-candidate' }
  | { readonly kind: 'missing-in-baseline' }
  | { readonly kind: 'reconciler-error'; readonly error: string };

export interface ReconcilerOutcome {
  readonly reconciler: string;
  readonly outcome: GroupOutcome;
}
