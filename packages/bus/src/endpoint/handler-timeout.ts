import { ConfigurationError, SwitchyardError } from '../errors.ts';

/** setTimeout's longest wait: a longer delay overflows and fires at once. */
const longestTimeoutMs = 2_147_483_647;

/** A consumer ran past its endpoint's handler timeout: the reason its attempt's signal aborted with. */
export class HandlerTimeoutError extends SwitchyardError {
  readonly endpoint: string;
  readonly consumer: string;
  readonly timeoutMs: number;

  constructor(endpoint: string, consumer: string, timeoutMs: number, options?: ErrorOptions) {
    super(
      'HANDLER_TIMEOUT',
      `Consumer "${consumer}" on endpoint "${endpoint}" timed out: still running after ${timeoutMs}ms, so its attempt was aborted`,
      options,
    );
    this.endpoint = endpoint;
    this.consumer = consumer;
    this.timeoutMs = timeoutMs;
  }
}

/** Rejects a timeout that setTimeout cannot keep; `what` names the option in the message. */
export function checkHandlerTimeout(what: string, timeoutMs: number | undefined): void {
  if (timeoutMs === undefined) return;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > longestTimeoutMs) {
    throw new ConfigurationError(
      `${what} must be an integer number of milliseconds from 1 to ${longestTimeoutMs}, got ${timeoutMs}`,
    );
  }
}

/**
 * One attempt of one consumer under its endpoint's timeout. `signal` aborts when the bus stops or when
 * the timeout passes (with a HandlerTimeoutError). A timed-out attempt is still awaited to the end:
 * until its promise settles it may be writing, and a retry started beside it could write the same
 * effect twice.
 */
export class AttemptDeadline {
  /**
   * The deadline of one attempt. Without a timeout it only passes the bus's stop signal on and never
   * changes, so one per stop signal serves every attempt rather than a new one for each message.
   */
  static start(
    stop: AbortSignal,
    endpoint: string,
    consumer: string,
    timeoutMs: number | undefined,
  ): AttemptDeadline {
    if (timeoutMs !== undefined) return new AttemptDeadline(stop, endpoint, consumer, timeoutMs);
    let untimed = untimedDeadlines.get(stop);
    if (!untimed) {
      untimed = new AttemptDeadline(stop, endpoint, consumer, undefined);
      untimedDeadlines.set(stop, untimed);
    }
    return untimed;
  }

  readonly signal: AbortSignal;
  readonly #stop: AbortSignal;
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #onStop: (() => void) | undefined;
  readonly #startedAt: number;
  #timedOut = false;

  private constructor(stop: AbortSignal, endpoint: string, consumer: string, timeoutMs: number | undefined) {
    this.#stop = stop;
    if (timeoutMs === undefined) {
      this.signal = stop;
      this.#startedAt = 0; // elapsedMs is read only after a timeout, which an untimed attempt never has
      return;
    }
    this.#startedAt = performance.now();
    // One controller that either cause aborts, rather than AbortSignal.any over two: any() costs
    // several times as much per attempt and keeps its signals for the garbage collector to trace.
    const attempt = new AbortController();
    this.signal = attempt.signal;
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      attempt.abort(new HandlerTimeoutError(endpoint, consumer, timeoutMs));
    }, timeoutMs);
    if (stop.aborted) {
      attempt.abort(stop.reason);
    } else {
      const onStop = () => attempt.abort(stop.reason);
      this.#onStop = onStop;
      stop.addEventListener('abort', onStop, { once: true });
    }
  }

  /** Whether the timeout passed before the attempt settled. */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  /** Milliseconds since the attempt started. */
  get elapsedMs(): number {
    return Math.round(performance.now() - this.#startedAt);
  }

  /**
   * Runs the attempt and waits for it to settle. A failure after the timeout is the timeout (with the
   * attempt's own error as its cause), unless the bus is stopping, which the caller handles itself.
   */
  run<A>(attempt: (argument: A) => Promise<void>, argument: A): Promise<void> {
    // Without a timeout there is nothing to translate or clear: the attempt's own promise will do.
    if (this.#timer === undefined) return attempt(argument);
    return this.#runTimed(attempt, argument);
  }

  async #runTimed<A>(attempt: (argument: A) => Promise<void>, argument: A): Promise<void> {
    try {
      await attempt(argument);
    } catch (error) {
      if (!this.#timedOut || this.#stop.aborted) throw error;
      // Timed out and not stopping: the signal aborted with the timeout, whatever came after.
      const reason = this.signal.reason as HandlerTimeoutError;
      throw error === reason
        ? reason
        : new HandlerTimeoutError(reason.endpoint, reason.consumer, reason.timeoutMs, { cause: error });
    } finally {
      clearTimeout(this.#timer);
      if (this.#onStop) this.#stop.removeEventListener('abort', this.#onStop);
    }
  }
}

const untimedDeadlines = new WeakMap<AbortSignal, AttemptDeadline>();
