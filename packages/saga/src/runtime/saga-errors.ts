import { SwitchyardError } from '@switchyard/bus';

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
