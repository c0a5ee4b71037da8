import type { Reconciler } from '../reconcile/define-reconciler.ts';
import { type EvaluateGroupOptions, evaluateGroup } from '../reconcile/evaluate-group.ts';
import { applyNoise, type NoiseModel } from '../reconcile/noise.ts';
import type { GroupComparer } from './comparison-endpoint.ts';

/**
 * The comparer a run uses: its reconcilers over the group's messages from every environment, with the
 * noise learnt from a second baseline left out of each mismatch (a mismatch that is all noise is a match).
 */
export function reconcilersComparer(
  reconcilers: readonly Reconciler[],
  options: EvaluateGroupOptions & { readonly noise?: NoiseModel } = {},
): GroupComparer {
  return async (group) => {
    const messages = [...group.baseline, ...group.candidate, ...group['baseline-2']];
    const outcomes = await evaluateGroup(reconcilers, messages, options);
    const { noise } = options;
    return noise ? outcomes.map((each) => applyNoise(each, noise)) : outcomes;
  };
}
