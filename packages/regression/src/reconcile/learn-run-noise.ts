import { type CaptureStore, defaultGroupKey, type GroupKeyOf } from '../store/capture-store.ts';
import { capturedMessages } from '../store/captured-messages.ts';
import type { Reconciler } from './define-reconciler.ts';
import { evaluateGroup } from './evaluate-group.ts';
import { type LearnNoiseOptions, learnNoise, type NoiseModel, type NoiseSample } from './noise.ts';

/**
 * Learns a run's noise from its second baseline: every group the `baseline-2` tap captured is compared
 * baseline against baseline-2 with the run's reconcilers, and what differs between the two identical
 * runs becomes the noise model. Samples keep only the paths of their differences, not the values, so a
 * large run's learning holds little more than the paths that differ.
 */
export async function learnRunNoise(
  store: CaptureStore,
  run: string,
  reconcilers: readonly Reconciler[],
  options: LearnNoiseOptions & { readonly keyOf?: GroupKeyOf } = {},
): Promise<{ readonly model: NoiseModel; readonly groups: number }> {
  const keyOf = options.keyOf ?? defaultGroupKey;
  const groups = new Set<string>();
  for await (const message of capturedMessages(store, run, 'baseline-2')) groups.add(keyOf(message));
  const samples: NoiseSample[] = [];
  for (const groupKey of groups) {
    const messages = await store.messagesOf(run, groupKey);
    const outcomes = await evaluateGroup(reconcilers, [...messages.baseline, ...messages['baseline-2']], {
      candidateEnvironment: 'baseline-2',
    });
    for (const { reconciler, outcome } of outcomes) {
      samples.push({
        reconciler,
        outcome:
          outcome.kind === 'mismatch'
            ? {
                kind: 'mismatch',
                differences: outcome.differences.map(({ path, kind, messageType }) => ({
                  path,
                  kind,
                  baseline: undefined,
                  candidate: undefined,
                  ...(messageType === undefined ? {} : { messageType }),
                })),
              }
            : outcome,
      });
    }
  }
  return { model: learnNoise(samples, options), groups: groups.size };
}
