import { CoreUnavailableError } from '../../src/modules/booking/booking-problems.ts';
import type { Posting } from '../../src/modules/booking/contracts.ts';
import type { BookedPosting, CoreLedger, PostOutcome } from '../../src/modules/booking/core-ledger.ts';

/** What booking met at the core, as seen from between booking and the core's client. */
export interface CoreEncounters {
  posts: number;
  /** Refused in the batch window: nothing booked. */
  batchRefusals: number;
  /** Not sent because the core refused a new session at its limit. */
  sessionLimitRefusals: number;
  /** Not sent for another reason (no connection, no session free in time). */
  otherUnavailable: number;
  /** Sent and unanswered: lost replies, stalls past the timeout, drops. */
  outcomeUnknown: number;
}

/**
 * Booking's core, counted: it passes every call through unchanged and counts what came back, so that a
 * test can show the faults it switched on were met (a refused logon, the batch window) and not just set.
 */
export class CountingCore implements CoreLedger {
  readonly encounters: CoreEncounters = {
    posts: 0,
    batchRefusals: 0,
    sessionLimitRefusals: 0,
    otherUnavailable: 0,
    outcomeUnknown: 0,
  };
  readonly #core: CoreLedger;

  constructor(core: CoreLedger) {
    this.#core = core;
  }

  async post(posting: Posting): Promise<PostOutcome> {
    this.encounters.posts += 1;
    try {
      const outcome = await this.#core.post(posting);
      if (outcome.kind === 'closed') this.encounters.batchRefusals += 1;
      return outcome;
    } catch (error) {
      if (error instanceof CoreUnavailableError) {
        if (/SESSION LIMIT/.test(error.message)) this.encounters.sessionLimitRefusals += 1;
        else this.encounters.otherUnavailable += 1;
      } else this.encounters.outcomeUnknown += 1;
      throw error;
    }
  }

  enquire(clientRef: string): Promise<readonly BookedPosting[]> {
    return this.#core.enquire(clientRef);
  }
}
