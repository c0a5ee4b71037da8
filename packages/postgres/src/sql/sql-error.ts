import { SwitchyardError } from '@switchyard/bus';

/** A statement failed; the message names the statement (its first line) and the server's reason. */
export class SqlError extends SwitchyardError {
  /** PostgreSQL's SQLSTATE, e.g. `23505` for a unique violation, `40001` for a serialization failure. */
  readonly sqlState: string | undefined;
  readonly statement: string;
  /** The constraint a violation was about, when the server said. */
  readonly constraint: string | undefined;

  constructor(statement: string, cause: unknown) {
    const details = cause as { code?: unknown; constraint?: unknown; message?: unknown };
    const sqlState = typeof details.code === 'string' ? details.code : undefined;
    const reason = typeof details.message === 'string' ? details.message : String(cause);
    super(
      'SQL_FAILED',
      `SQL statement failed${sqlState ? ` (SQLSTATE ${sqlState})` : ''}: ${reason}\n  in: ${summarise(statement)}`,
      { cause },
    );
    this.sqlState = sqlState;
    this.statement = statement;
    this.constraint = typeof details.constraint === 'string' ? details.constraint : undefined;
  }
}

/** SQLSTATEs a caller may meet in normal operation and branch on. */
export const sqlStates = {
  uniqueViolation: '23505',
  /** A table the statement names does not exist: the database is not migrated. */
  undefinedTable: '42P01',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  /** The statement was cancelled, as a transaction whose signal aborted cancels its statement in progress. */
  queryCanceled: '57014',
} as const;

/** Wraps a driver error (anything thrown by a statement) so it names the statement. */
export function sqlErrorFor(statement: string, error: unknown): SqlError {
  return error instanceof SqlError ? error : new SqlError(statement, error);
}

/** The statement on one line, shortened: enough to find it in the code. */
function summarise(statement: string): string {
  const oneLine = statement.replace(/\s+/g, ' ').trim();
  return oneLine.length > 160 ? `${oneLine.slice(0, 157)}...` : oneLine;
}
