import { SagaConcurrencyError, type SagaRecord } from '@switchyard/bus';
import { SqlError, sqlStates } from '../sql/sql-error.ts';
import { sagaConstraints } from './saga-statements.ts';

/**
 * What `error`, thrown while writing `record`, means to the caller: a SagaConcurrencyError when a
 * unique constraint shows that another instance holds its id or one of its keys, or when the server
 * ended the write as a deadlock or serialization failure; else `error` itself.
 * `attempt` starts the message, saying what was tried, e.g. `Cannot update saga T 42 to version 3`.
 */
export function sagaConflictOr(error: unknown, record: SagaRecord, attempt: string): unknown {
  if (!(error instanceof SqlError)) return error;
  // Two writers that each took a key the other wants: the server ends one; reloading and retrying is right.
  if (error.sqlState === sqlStates.deadlockDetected || error.sqlState === sqlStates.serializationFailure) {
    return new SagaConcurrencyError(`${attempt}: another writer got in the way (${error.message})`);
  }
  if (error.sqlState !== sqlStates.uniqueViolation) return error;
  switch (error.constraint) {
    case sagaConstraints.instanceId:
      return new SagaConcurrencyError(`${attempt}: an instance with that id exists`);
    case sagaConstraints.correlationKey:
      return new SagaConcurrencyError(`${attempt}: ${takenKeys(error, record)}`);
    default:
      return new SagaConcurrencyError(`${attempt}: ${error.message}`);
  }
}

/**
 * Which of the record's keys was taken. The server names it only in the violation's detail text,
 * `Key (saga_type, key_name, key_value)=(type, key, value) already exists.`, whose parts are joined
 * without quoting; so rather than parse it, each key of the record is looked for in it.
 */
function takenKeys(error: SqlError, record: SagaRecord): string {
  const detail = (error.cause as { detail?: unknown } | undefined)?.detail;
  const keys = Object.entries(record.keys);
  const named =
    typeof detail === 'string'
      ? keys.filter(([key, value]) => detail.includes(`=(${record.sagaType}, ${key}, ${value})`))
      : [];
  if (named.length === 1) return `key ${describe(named)} is held by another instance`;
  return `one of its keys (${describe(named.length > 0 ? named : keys)}) is held by another instance`;
}

function describe(keys: readonly [string, string][]): string {
  return keys.map(([key, value]) => `${key}=${value}`).join(', ');
}
