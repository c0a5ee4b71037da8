/** Base class of every error the bus raises; `code` is stable and safe to branch on. */
export class SwitchyardError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
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
