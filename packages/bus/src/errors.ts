/**
 * The catalogue of error codes: each key a code, its value the package that owns it. The bus declares
 * its own here; every other package adds its codes from its errors file (`src/NAME-errors.ts`) by
 * augmenting this interface:
 *
 * ```ts
 * declare module '@switchyard/bus' {
 *   interface SwitchyardErrorCodes {
 *     NO_ROUTE: '@switchyard/postgres';
 *   }
 * }
 * ```
 *
 * The owner as the value makes a code two packages declare fail the type-check ("subsequent property
 * declarations must have the same type"). Each code is listed in docs/errors.md (a test keeps the two in
 * step). A published code keeps its meaning for good: one no longer raised stays there as retired.
 */
export interface SwitchyardErrorCodes {
  BUS_STOPPED: '@switchyard/bus';
  CONFIGURATION: '@switchyard/bus';
  DELIVERY_LIMIT_EXCEEDED: '@switchyard/bus';
  ENVELOPE_DECODE: '@switchyard/bus';
  HANDLER_TIMEOUT: '@switchyard/bus';
  INBOX_REUSED_MESSAGE_ID: '@switchyard/bus';
  MESSAGE_REFUSED: '@switchyard/bus';
  MESSAGE_VALIDATION: '@switchyard/bus';
  REQUEST_FAULT: '@switchyard/bus';
  REQUEST_TIMEOUT: '@switchyard/bus';
  SAGA_CONCURRENCY: '@switchyard/bus';
}

/** A code from the catalogue: a code no package declared fails the type-check. */
export type ErrorCode = keyof SwitchyardErrorCodes;

/** Base class of every error the bus raises; `code` is stable and safe to branch on. */
export class SwitchyardError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A bus or endpoint was given a definition or option it cannot use. */
export class ConfigurationError extends SwitchyardError {
  constructor(message: string) {
    super('CONFIGURATION', message);
  }
}

/**
 * A consumer refuses a message for what it says (a reused key with other content, a rule the data
 * breaks). Retrying cannot change the answer, so the bus sends it straight to the error queue with
 * this message as the reason, for a person to correct and retry or purge.
 */
export class MessageRefusedError extends SwitchyardError {
  constructor(message: string) {
    super('MESSAGE_REFUSED', message);
  }
}
