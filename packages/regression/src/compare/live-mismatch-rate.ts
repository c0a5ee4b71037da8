import { isPassingKind } from '../report/exit-code.ts';
import { formatCount } from '../report/format-count.ts';
import type { CaptureStore } from '../store/capture-store.ts';

/** A live run's running figures: all groups compared so far, and those of the last window. */
export interface LiveRate {
  readonly compared: number;
  readonly failing: number;
  readonly windowMs: number;
  readonly windowCompared: number;
  readonly windowFailing: number;
}

/**
 * The running mismatch rate of a live (continuous) run: reads the results recorded since its last look,
 * a page at a time, and counts groups, not results: a group fails when any reconciler's outcome is not a
 * match. Memory holds the last window's groups only, so a shadow that runs for weeks stays bounded; a
 * group whose results straddle a window's edge may count twice in the totals, which are for a person's
 * eye, while the run's report counts exactly.
 */
export class LiveMismatchRate {
  readonly #store: CaptureStore;
  readonly #run: string;
  readonly #windowMs: number;
  /** Groups seen in the window, oldest first (a Map keeps insertion order). */
  readonly #window = new Map<string, { at: number; failing: boolean }>();
  #after: number | undefined;
  #compared = 0;
  #failing = 0;

  constructor(store: CaptureStore, run: string, options: { readonly windowMs?: number } = {}) {
    this.#store = store;
    this.#run = run;
    this.#windowMs = options.windowMs ?? 60_000;
  }

  /** Reads what was recorded since the last call and answers the figures as of `now`. */
  async poll(now: number = Date.now()): Promise<LiveRate> {
    for (;;) {
      const page = await this.#store.results(this.#run, { after: this.#after, limit: 1_000 });
      for (const result of page.results) {
        this.#after = result.seq;
        const failing = !isPassingKind((result.outcome as { kind?: unknown } | null)?.kind);
        const seen = this.#window.get(result.groupKey);
        if (seen === undefined) {
          this.#window.set(result.groupKey, { at: Date.parse(result.comparedAt), failing });
          this.#compared += 1;
          if (failing) this.#failing += 1;
        } else if (failing && !seen.failing) {
          seen.failing = true;
          this.#failing += 1;
        }
      }
      if (page.next === undefined) break;
    }
    let windowFailing = 0;
    for (const [group, seen] of this.#window) {
      if (seen.at < now - this.#windowMs) this.#window.delete(group);
      else if (seen.failing) windowFailing += 1;
    }
    return {
      compared: this.#compared,
      failing: this.#failing,
      windowMs: this.#windowMs,
      windowCompared: this.#window.size,
      windowFailing,
    };
  }
}

/** One line for a live run, e.g. `1,234 groups compared · 12 failing (0.97%) · last 60 s: 200, 3 failing (1.50%)`. */
export function formatLiveRate(rate: LiveRate): string {
  const percent = (failing: number, of: number) => (of === 0 ? '–' : `${((failing / of) * 100).toFixed(2)}%`);
  return (
    `${formatCount(rate.compared)} groups compared · ${formatCount(rate.failing)} failing (${percent(rate.failing, rate.compared)})` +
    ` · last ${Math.round(rate.windowMs / 1000)} s: ${formatCount(rate.windowCompared)}, ${formatCount(rate.windowFailing)} failing (${percent(rate.windowFailing, rate.windowCompared)})`
  );
}
