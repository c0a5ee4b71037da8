import { SwitchyardError } from '@switchyard/bus';

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
