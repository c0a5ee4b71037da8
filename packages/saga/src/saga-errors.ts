import { SwitchyardError } from '@switchyard/bus';

/** The codes saga raises, each listed in docs/errors.md; the store's SAGA_CONCURRENCY is the bus's. */
declare module '@switchyard/bus' {
  interface SwitchyardErrorCodes {
    SAGA_CHECK_FAILED: '@switchyard/saga';
    SAGA_CORRELATION: '@switchyard/saga';
    SAGA_KEY_CONFLICT: '@switchyard/saga';
    SAGA_NOT_FOUND: '@switchyard/saga';
    SAGA_UNEXPECTED_EVENT: '@switchyard/saga';
  }
}

/** A message found no saga instance, could not start one, and its event's `whenMissing` is `fault`. */
export class SagaNotFoundError extends SwitchyardError {
  constructor(message: string) {
    super('SAGA_NOT_FOUND', message);
  }
}

/** An event arrived in a state with no behaviour for it, and its `onUnexpected` is `fault`. */
export class UnexpectedSagaEventError extends SwitchyardError {
  constructor(message: string) {
    super('SAGA_UNEXPECTED_EVENT', message);
  }
}

/** A message carries no usable correlation value (empty, not a string, or no correlation id). */
export class SagaCorrelationError extends SwitchyardError {
  constructor(message: string) {
    super('SAGA_CORRELATION', message);
  }
}

/** An instance took a correlation key value that another live instance of the same saga holds. */
export class SagaKeyConflictError extends SwitchyardError {
  constructor(message: string) {
    super('SAGA_KEY_CONFLICT', message);
  }
}
