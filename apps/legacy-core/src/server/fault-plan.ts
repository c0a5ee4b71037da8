import type { CoreConfig } from '../config.ts';
import { seededRandom } from './seeded-random.ts';

/** What happens to one POST: answered normally, or one of the ways an old core lets a client down. */
export type Fault = 'none' | 'drop-before-booking' | 'lost-reply' | 'stall';
export const forcibleFaults: readonly Fault[] = ['none', 'drop-before-booking', 'lost-reply', 'stall'];

/**
 * Decides each POST's fault from its own seeded stream (separate from latency), so the n-th POST of a
 * run meets the same fault whatever the latency settings. CTRL|FAULT queues forced faults that
 * come first, for tests that need one particular fault now.
 */
export class FaultPlan {
  readonly #random: () => number;
  readonly #rates: CoreConfig['faults'];
  readonly #forced: Fault[] = [];

  constructor(seed: number, rates: CoreConfig['faults']) {
    // A different stream from the latency one: golden-ratio offset keeps the seeds apart.
    this.#random = seededRandom((seed ^ 0x9e3779b9) >>> 0);
    this.#rates = rates;
  }

  force(fault: Fault, times: number): void {
    for (let index = 0; index < times; index++) this.#forced.push(fault);
  }

  next(): Fault {
    // Draw even when forced, so forcing a fault does not shift the seeded sequence after it.
    const draw = this.#random();
    const forced = this.#forced.shift();
    if (forced) return forced;
    const { dropBeforeBookingRate, lostReplyRate, stallRate } = this.#rates;
    if (draw < dropBeforeBookingRate) return 'drop-before-booking';
    if (draw < dropBeforeBookingRate + lostReplyRate) return 'lost-reply';
    if (draw < dropBeforeBookingRate + lostReplyRate + stallRate) return 'stall';
    return 'none';
  }
}
