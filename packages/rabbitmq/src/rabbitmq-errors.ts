import { SwitchyardError } from '@switchyard/bus';

/** The codes rabbitmq raises, each listed in docs/errors.md (DestructiveChangeError is beside its plan). */
declare module '@switchyard/bus' {
  interface SwitchyardErrorCodes {
    BROKER_UNAVAILABLE: '@switchyard/rabbitmq';
    DESTRUCTIVE_TOPOLOGY_CHANGE: '@switchyard/rabbitmq';
    ERROR_QUEUE_RETRY_FAILED: '@switchyard/rabbitmq';
    MANAGEMENT_API_REFUSED: '@switchyard/rabbitmq';
    MANAGEMENT_API_UNREACHABLE: '@switchyard/rabbitmq';
    PUBLISH_REJECTED: '@switchyard/rabbitmq';
    PUBLISH_UNCONFIRMED: '@switchyard/rabbitmq';
    TOPOLOGY_DECLARATION_REFUSED: '@switchyard/rabbitmq';
  }
}

/** The broker could not be reached in time for an operation; nothing was sent. */
export class BrokerUnavailableError extends SwitchyardError {
  constructor(message: string, options?: ErrorOptions) {
    super('BROKER_UNAVAILABLE', message, options);
  }
}

/** The broker refused (nacked) a message or returned it as unroutable; the caller still owns it. */
export class PublishRejectedError extends SwitchyardError {
  constructor(message: string) {
    super('PUBLISH_REJECTED', message);
  }
}

/**
 * The broker did not confirm a publish in time (it blocked publishing, or stalled); the message may
 * still arrive, so the caller sends it again, at worst a duplicate.
 */
export class PublishUnconfirmedError extends SwitchyardError {
  constructor(message: string) {
    super('PUBLISH_UNCONFIRMED', message);
  }
}

/** A retry from an error queue stopped: the broker refused a step; the message stays in the error queue. */
export class ErrorQueueRetryFailedError extends SwitchyardError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERROR_QUEUE_RETRY_FAILED', message, options);
  }
}

/** The management API answered a call with an error status; `status` is it (404: no such object). */
export class ManagementApiError extends SwitchyardError {
  readonly status: number;

  constructor(message: string, status: number) {
    super('MANAGEMENT_API_REFUSED', message);
    this.status = status;
  }
}

/** The management API did not answer at all (no plugin, wrong port, a network fault, or no answer in 10 s). */
export class ManagementApiUnreachableError extends SwitchyardError {
  constructor(message: string, options?: ErrorOptions) {
    super('MANAGEMENT_API_UNREACHABLE', message, options);
  }
}

/** The broker refused to declare an exchange, queue or binding (an argument differs from what exists, a permission); the cause says which. */
export class TopologyDeclarationError extends SwitchyardError {
  constructor(message: string, options?: ErrorOptions) {
    super('TOPOLOGY_DECLARATION_REFUSED', message, options);
  }
}
