import type { Logger } from 'pino';
import type { CoreConfig } from '../config.ts';
import type { Ledger } from '../store/ledger.ts';
import type { BatchMode } from './batch-window.ts';
import type { FaultPlan } from './fault-plan.ts';

/** What every session of one running core shares. */
export interface CoreState {
  readonly config: CoreConfig;
  readonly ledger: Ledger;
  readonly faults: FaultPlan;
  /** The latency stream, apart from the fault stream. */
  readonly latencyRandom: () => number;
  readonly logger: Logger;
  loggedOnSessions: number;
  sessionsEverOpened: number;
  batchMode: BatchMode;
  /** Set by CTRL|DATE; wins over config.businessDate and the clock. */
  businessDateOverride: string | null;
}

/** The business date the core books under now: YYYYMMDD. */
export function businessDateOf(state: CoreState, now: Date): string {
  return (
    state.businessDateOverride ??
    state.config.businessDate ??
    now.toISOString().slice(0, 10).replaceAll('-', '')
  );
}
