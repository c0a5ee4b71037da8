import { SwitchyardError } from '@switchyard/bus';

/** The codes tradebook's booking raises, each listed in docs/errors.md. */
declare module '@switchyard/bus' {
  interface SwitchyardErrorCodes {
    TRADEBOOK_CORE_OUTCOME_UNKNOWN: '@switchyard/tradebook';
    TRADEBOOK_CORE_UNAVAILABLE: '@switchyard/tradebook';
  }
}

/** A posting was sent and no answer came (a timeout, a lost connection): it may be booked. Enquire before sending it again. */
export class CoreOutcomeUnknownError extends SwitchyardError {
  constructor(message: string, options?: ErrorOptions) {
    super('TRADEBOOK_CORE_OUTCOME_UNKNOWN', message, options);
  }
}

/** The core could not be reached (no session, connection refused): nothing was sent. */
export class CoreUnavailableError extends SwitchyardError {
  constructor(message: string, options?: ErrorOptions) {
    super('TRADEBOOK_CORE_UNAVAILABLE', message, options);
  }
}
