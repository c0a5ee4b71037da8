import { ConfigurationError } from '@switchyard/bus';
import { defaultSchema } from '../migrations/switchyard-migrations.ts';

/** Options for `PostgresScheduler`. */
export interface PostgresSchedulerOptions {
  /** The schema Switchyard's migrations were applied to (default `switchyard`). */
  readonly schema?: string;
  /** The clock due times and leases are read from (ms since the epoch; default `Date.now`). */
  readonly now?: () => number;
  /**
   * The longest the scheduler sleeps between looks at the table (default 1000 ms). It wakes on time
   * for what the table holds and, through NOTIFY, for what is scheduled sooner; this bounds how late
   * it notices a notification lost while the listening connection was down, or a moved clock.
   */
  readonly pollIntervalMs?: number;
  /**
   * How long a claimed message is held for its delivery (default 30 s, at least 300 ms). The lease is
   * renewed while the delivery runs, so this is how long after a crash the message fires again on
   * another process.
   */
  readonly leaseMs?: number;
  /** The most messages claimed at once, and so the most deliveries in progress (default 20). */
  readonly batchSize?: number;
  /** The wait before the first retry of a failed delivery (default 1000 ms); it doubles per attempt. */
  readonly retryDelayMs?: number;
  /** The longest wait between retries of a failed delivery (default 60 s). */
  readonly maxRetryDelayMs?: number;
}

/** The options with defaults filled in and every number checked. */
export interface SchedulerSettings {
  readonly schema: string;
  readonly now: () => number;
  readonly pollIntervalMs: number;
  readonly leaseMs: number;
  readonly batchSize: number;
  readonly retryDelayMs: number;
  readonly maxRetryDelayMs: number;
}

/** Fills in defaults; a number out of range is a ConfigurationError naming the option and the value. */
export function schedulerSettings(options: PostgresSchedulerOptions): SchedulerSettings {
  const retryDelayMs = duration('retryDelayMs', options.retryDelayMs ?? 1000, 0);
  return {
    schema: options.schema ?? defaultSchema,
    now: options.now ?? Date.now,
    pollIntervalMs: duration('pollIntervalMs', options.pollIntervalMs ?? 1000, 1, maxTimerMs),
    // Renewed every third of the lease: anything shorter than this turns into constant renewals.
    leaseMs: duration('leaseMs', options.leaseMs ?? 30_000, 300, 3 * maxTimerMs),
    batchSize: wholeNumber('batchSize', options.batchSize ?? 20),
    retryDelayMs,
    maxRetryDelayMs: duration('maxRetryDelayMs', options.maxRetryDelayMs ?? 60_000, retryDelayMs),
  };
}

/** How long to wait before trying a message again after its `attempts`-th delivery failed. */
export function retryDelay(settings: SchedulerSettings, attempts: number): number {
  // The exponent is capped so that the power stays finite for a message that failed very often.
  const doubled = settings.retryDelayMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30);
  return Math.min(doubled, settings.maxRetryDelayMs);
}

/** Node's timers fire at once, with a warning, when asked to wait longer than this. */
const maxTimerMs = 2 ** 31 - 1;

function duration(name: string, value: number, minimum: number, maximum = Number.POSITIVE_INFINITY): number {
  if (!Number.isFinite(value) || value < minimum || value > maximum) {
    const range =
      maximum === Number.POSITIVE_INFINITY ? `at least ${minimum}` : `from ${minimum} to ${maximum}`;
    throw new ConfigurationError(
      `PostgresScheduler ${name} must be a finite number of milliseconds ${range}, not ${value}`,
    );
  }
  return value;
}

function wholeNumber(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ConfigurationError(
      `PostgresScheduler ${name} must be a whole number of at least 1, not ${value}`,
    );
  }
  return value;
}
