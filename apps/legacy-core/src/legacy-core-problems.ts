import { SwitchyardError } from '@switchyard/bus';

/** The codes the legacy core and its client raise, each listed in docs/errors.md. */
declare module '@switchyard/bus' {
  interface SwitchyardErrorCodes {
    LEGACY_CORE_CONFIG_INVALID: '@switchyard/legacy-core';
    LEGACY_CORE_JOURNAL_CORRUPT: '@switchyard/legacy-core';
    LEGACY_CORE_TIMEOUT: '@switchyard/legacy-core';
    LEGACY_CORE_CONNECTION_LOST: '@switchyard/legacy-core';
    LEGACY_CORE_UNAVAILABLE: '@switchyard/legacy-core';
    LEGACY_CORE_PROTOCOL: '@switchyard/legacy-core';
  }
}

/** A configuration value breaks a rule; names where it came from, the path and the rule. */
export class CoreConfigError extends SwitchyardError {
  readonly path: string;

  constructor(path: string, rule: string) {
    super('LEGACY_CORE_CONFIG_INVALID', `legacy-core config: ${path}: ${rule}`);
    this.path = path;
  }
}

/** The journal holds something other than whole postings before its last record: the core will not guess. */
export class JournalCorruptError extends SwitchyardError {
  constructor(file: string, line: number, rule: string) {
    super('LEGACY_CORE_JOURNAL_CORRUPT', `${file}:${line}: ${rule}`);
  }
}

/**
 * The core did not answer in time. The request was sent, so a posting may or may not be booked:
 * enquire by client reference before deciding to post again.
 */
export class CoreTimeoutError extends SwitchyardError {
  readonly outcome = 'unknown' as const;

  constructor(message: string) {
    super('LEGACY_CORE_TIMEOUT', message);
  }
}

/**
 * The session closed after the request was sent and before its reply arrived. The posting may or may
 * not be booked: enquire by client reference before deciding to post again.
 */
export class CoreConnectionLostError extends SwitchyardError {
  readonly outcome = 'unknown' as const;

  constructor(message: string, options?: ErrorOptions) {
    super('LEGACY_CORE_CONNECTION_LOST', message, options);
  }
}

/** No session could be had (refused connection, logon refused, none free in time): nothing was sent. */
export class CoreUnavailableError extends SwitchyardError {
  readonly outcome = 'not-sent' as const;

  constructor(message: string, options?: ErrorOptions) {
    super('LEGACY_CORE_UNAVAILABLE', message, options);
  }
}

/** The core answered with a record the client cannot read; the session is closed. */
export class CoreProtocolError extends SwitchyardError {
  constructor(message: string) {
    super('LEGACY_CORE_PROTOCOL', message);
  }
}
