import type { Bus } from '@switchyard/bus';
import type { Logger } from 'pino';
import { RunUnfinishedError } from '../regression-errors.ts';
import type { CaptureStore, RunSummary, SettleRule } from '../store/capture-store.ts';
import { SettledGroupDispatcher } from './settled-group-dispatcher.ts';

export interface CompareRunOptions {
  /** A started bus: it carries the work items; its own comparison endpoint, if it has one, takes a share. */
  readonly bus: Bus;
  readonly store: CaptureStore;
  readonly run: string;
  readonly rule: Omit<SettleRule, 'now'>;
  readonly endpoint?: string;
  /** Gives up after this long (default: the rule's maxWaitMs plus five minutes). */
  readonly timeoutMs?: number;
  /** Called about twice a second with the run's counts, for a progress bar. */
  readonly onProgress?: (summary: RunSummary) => void;
  readonly logger?: Logger;
}

/**
 * A batch comparison of what a run captured: dispatches settled groups to the comparers until every
 * group has settled and been compared, and answers the run's counts. The capture should have ended
 * (its taps drained) before; a group still open settles by the rule's maximum wait at the latest.
 */
export async function compareRun(options: CompareRunOptions): Promise<RunSummary> {
  const dispatcher = new SettledGroupDispatcher({
    bus: options.bus,
    store: options.store,
    run: options.run,
    rule: options.rule,
    endpoint: options.endpoint,
    logger: options.logger,
  });
  const deadline = Date.now() + (options.timeoutMs ?? options.rule.maxWaitMs + 300_000);
  await dispatcher.start();
  try {
    for (;;) {
      const summary = await options.store.summary(options.run);
      options.onProgress?.(summary);
      if (summary.groups > 0 && summary.compared >= summary.groups) return summary;
      if (Date.now() > deadline) {
        throw new RunUnfinishedError(
          `Run "${options.run}" did not finish comparing in time: ${summary.compared} of ${summary.groups} groups compared (${summary.settled} settled); are comparers consuming ${options.endpoint ?? 'switchyard.regression.compare'}?`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await dispatcher.stop();
  }
}
