import { SwitchyardError } from '@switchyard/bus';

/** The codes regression raises, each listed in docs/errors.md. */
declare module '@switchyard/bus' {
  interface SwitchyardErrorCodes {
    REGRESSION_CAPTURE_NOT_DRAINED: '@switchyard/regression';
    REGRESSION_CAPTURE_UNREADABLE: '@switchyard/regression';
    REGRESSION_RECONCILER_INVALID: '@switchyard/regression';
    REGRESSION_RUN_UNFINISHED: '@switchyard/regression';
    REGRESSION_SUITE_INVALID: '@switchyard/regression';
    REGRESSION_WORKERS_INVALID: '@switchyard/regression';
  }
}

/** A captured message that is not a readable envelope; it is stored as malformed and reported, never dropped. */
export class CaptureUnreadableError extends SwitchyardError {
  constructor(message: string, options?: ErrorOptions) {
    super('REGRESSION_CAPTURE_UNREADABLE', message, options);
  }
}

/** A reconciler definition that cannot work (no messages, a duplicate name); names the reconciler and the rule. */
export class ReconcilerDefinitionError extends SwitchyardError {
  constructor(message: string) {
    super('REGRESSION_RECONCILER_INVALID', message);
  }
}

/** A run's groups were not all compared in time: no comparer consumes the work, or one keeps failing. */
export class RunUnfinishedError extends SwitchyardError {
  constructor(message: string) {
    super('REGRESSION_RUN_UNFINISHED', message);
  }
}

/** A regression suite that cannot run (nothing captured, a compared type not captured, a file without `suite`). */
export class RegressionSuiteError extends SwitchyardError {
  constructor(message: string) {
    super('REGRESSION_SUITE_INVALID', message);
  }
}

/** Comparison worker threads that cannot start as asked: no workers, or a store that is not a PostgreSQL server. */
export class ComparisonWorkersError extends SwitchyardError {
  constructor(message: string) {
    super('REGRESSION_WORKERS_INVALID', message);
  }
}

/** A tap's capture queue did not empty into the store in time: the store is slow or down, or messages keep arriving. */
export class CaptureNotDrainedError extends SwitchyardError {
  constructor(message: string) {
    super('REGRESSION_CAPTURE_NOT_DRAINED', message);
  }
}
