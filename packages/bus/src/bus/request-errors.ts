import { SwitchyardError } from '../errors.ts';
import type { Fault } from '../recoverability/fault.ts';

/** No response arrived within the request's timeout. */
export class RequestTimeoutError extends SwitchyardError {
  readonly requestId: string;

  constructor(messageType: string, requestId: string, timeoutMs: number) {
    super(
      'REQUEST_TIMEOUT',
      `Request ${messageType} (requestId ${requestId}) had no response within ${timeoutMs}ms`,
    );
    this.requestId = requestId;
  }
}

/** The consumer of a request failed; `fault` holds what it reported. */
export class RequestFaultError extends SwitchyardError {
  readonly fault: Fault;

  constructor(messageType: string, fault: Fault) {
    const first = fault.exceptions[0];
    super(
      'REQUEST_FAULT',
      `Request ${messageType} faulted: ${first ? `${first.exceptionType}: ${first.message}` : 'no exception details'}`,
    );
    this.fault = fault;
  }
}

/** The bus stopped while the request was waiting. */
export class BusStoppedError extends SwitchyardError {
  constructor(what: string) {
    super('BUS_STOPPED', `${what}: the bus is not running`);
  }
}
