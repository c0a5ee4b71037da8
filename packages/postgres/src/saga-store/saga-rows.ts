import type { SagaRecord, SagaTransition } from '@switchyard/bus';
import { column, RowShapeError } from '../sql/row-values.ts';
import type { Row } from '../sql/sql-client.ts';

/** A saga instance from a row of `yard_saga_instances` (state, data, version, keys). */
export function sagaRecordFrom(row: Row, sagaType: string, id: string): SagaRecord {
  return {
    sagaType,
    id,
    state: column.text(row, 'state'),
    data: column.json(row, 'data'),
    version: column.integer(row, 'version'),
    keys: correlationKeysFrom(row, 'keys'),
  };
}

/** A transition from a row of `yard_saga_transitions`. */
export function sagaTransitionFrom(row: Row, sagaType: string, sagaId: string): SagaTransition {
  return {
    sagaType,
    sagaId,
    from: column.optionalText(row, 'from_state'),
    to: column.text(row, 'to_state'),
    event: column.text(row, 'event'),
    messageId: column.optionalText(row, 'message_id'),
    at: column.timestamp(row, 'occurred_at'),
  };
}

/** The `keys` jsonb column: an object whose values are all strings. */
function correlationKeysFrom(row: Row, name: string): Record<string, string> {
  const value = column.json(row, name);
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isObject || Object.values(value).some((each) => typeof each !== 'string')) {
    throw new RowShapeError(name, 'a JSON object of strings', value);
  }
  return value as Record<string, string>;
}

/**
 * `value` as JSON text for a `$n::jsonb` parameter. `JSON.stringify` gives no text for `undefined`, a
 * function or a symbol; that would arrive as SQL null, so it is refused here, naming what it was for.
 */
export function jsonText(value: unknown, what: string): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`${what} must be a JSON value, got ${typeof value}`);
  return text;
}
