import type { Bus, BusService } from '@switchyard/bus';
import type { Logger } from 'pino';
import pino from 'pino';
import type { CaptureStore, SettledGroup, SettleRule } from '../store/capture-store.ts';
import { CompareGroup, defaultComparisonEndpoint } from './compare-group.ts';

export interface SettledGroupDispatcherOptions {
  readonly bus: Bus;
  readonly store: CaptureStore;
  readonly run: string;
  /** When a group counts as settled; `limit` is the most groups claimed per pass. */
  readonly rule: Omit<SettleRule, 'now'>;
  /** The comparers' endpoint (default `switchyard.regression.compare`). */
  readonly endpoint?: string;
  /** Time between passes while nothing settles (default 250 ms). */
  readonly intervalMs?: number;
  /** Work items sent at once, each awaiting the broker's confirm (default 100). */
  readonly sendsInFlight?: number;
  readonly logger?: Logger;
}

/**
 * Claims settled groups and sends each to the comparers as a work item. A group whose send fails is
 * released, to be claimed again on a later pass. Runs as a bus service in any one process of the run
 * (claims are atomic, so two dispatchers would not send a group twice, only share the work).
 */
export class SettledGroupDispatcher implements BusService {
  readonly #options: SettledGroupDispatcherOptions;
  readonly #logger: Logger;
  #running = false;
  #loop: Promise<void> | undefined;
  #dispatched = 0;

  constructor(options: SettledGroupDispatcherOptions) {
    this.#options = options;
    this.#logger = options.logger ?? pino({ enabled: false });
  }

  /** Groups sent to the comparers so far. */
  get dispatched(): number {
    return this.#dispatched;
  }

  async start(): Promise<void> {
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }

  /**
   * One pass: claims what settled now and sends it, up to `sendsInFlight` work items at once (each send
   * waits for the broker's confirm; one at a time capped a run near a thousand groups a second). Groups
   * whose send failed are released, to be claimed again; answers how many it sent.
   */
  async dispatchOnce(): Promise<number> {
    const { bus, store, run, rule } = this.#options;
    const settled = await store.claimSettled(run, rule);
    const endpoint = `queue:${this.#options.endpoint ?? defaultComparisonEndpoint}`;
    const inFlight = this.#options.sendsInFlight ?? 100;
    const unsent: string[] = [];
    let firstError: unknown;
    for (let start = 0; start < settled.length; start += inFlight) {
      const chunk = settled.slice(start, start + inFlight);
      const outcomes = await Promise.allSettled(
        chunk.map((group) =>
          bus.send(endpoint, CompareGroup, { run, groupKey: group.groupKey, settled: group.reason }),
        ),
      );
      for (const [index, outcome] of outcomes.entries()) {
        if (outcome.status === 'fulfilled') this.#dispatched += 1;
        else {
          unsent.push((chunk[index] as SettledGroup).groupKey);
          firstError ??= outcome.reason;
        }
      }
    }
    if (unsent.length > 0) {
      await store.releaseClaims(run, unsent);
      throw firstError;
    }
    return settled.length;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let sent = 0;
      try {
        sent = await this.dispatchOnce();
      } catch (error) {
        this.#logger.warn(
          { err: error, run: this.#options.run },
          'regression: dispatching settled groups failed; trying again',
        );
      }
      // A full batch means more may be waiting: go on at once; otherwise wait for more to settle.
      if (sent < this.#options.rule.limit)
        await new Promise((resolve) => setTimeout(resolve, this.#options.intervalMs ?? 250));
    }
  }
}
