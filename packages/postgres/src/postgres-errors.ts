import { SwitchyardError } from '@switchyard/bus';

/**
 * The codes postgres raises, each listed in docs/errors.md. SqlError, RowShapeError and
 * EmbeddedDatabaseLockedError live beside the code that reads what they report (sql/); the rest are here.
 */
declare module '@switchyard/bus' {
  interface SwitchyardErrorCodes {
    EMBEDDED_DATABASE_LOCKED: '@switchyard/postgres';
    MIGRATION: '@switchyard/postgres';
    NO_ROUTE: '@switchyard/postgres';
    ROW_SHAPE: '@switchyard/postgres';
    SQL_FAILED: '@switchyard/postgres';
  }
}

/** Migrations cannot be applied as they are: an edited, missing, duplicate or failing file. */
export class MigrationError extends SwitchyardError {
  constructor(message: string, options?: ErrorOptions) {
    super('MIGRATION', message, options);
  }
}

/** A send reached no queue: nothing is bound to the exchange it went to. */
export class NoRouteError extends SwitchyardError {
  constructor(message: string) {
    super('NO_ROUTE', message);
  }
}
