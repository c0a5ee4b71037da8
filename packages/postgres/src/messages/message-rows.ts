import type { HeaderValue, OutgoingMessage, TransportMessage } from '@switchyard/bus';
import { column, RowShapeError } from '../sql/row-values.ts';
import type { Row } from '../sql/sql-client.ts';

/**
 * A stored message (columns `message_id`, `correlation_id`, `content_type`, `body`, `headers`, as the
 * outbox, the scheduler and the transport keep them) as the transport message it was; the body is a
 * copy the caller owns, and absent optional fields are left out.
 */
export function transportMessageFromRow(row: Row): TransportMessage {
  const correlationId = column.optionalText(row, 'correlation_id');
  return {
    messageId: column.text(row, 'message_id'),
    ...(correlationId !== undefined ? { correlationId } : {}),
    contentType: column.text(row, 'content_type'),
    body: column.bytes(row, 'body'),
    headers: headersFrom(row),
  };
}

/** A stored outgoing message (the transport message plus `kind`, `destination`, `delay_ms`, `conversation_id`). */
export function outgoingFromRow(row: Row): OutgoingMessage {
  const kind = column.text(row, 'kind');
  if (kind !== 'publish' && kind !== 'send') throw new RowShapeError('kind', '"publish" or "send"', kind);
  const delayMs = column.optionalInteger(row, 'delay_ms');
  const conversationId = column.optionalText(row, 'conversation_id');
  return {
    kind,
    destination: column.text(row, 'destination'),
    message: transportMessageFromRow(row),
    ...(delayMs !== undefined ? { delayMs } : {}),
    ...(conversationId !== undefined ? { conversationId } : {}),
  };
}

/** Headers are stored as a jsonb object of scalars; anything else means the row was not written by us. */
function headersFrom(row: Row): Record<string, HeaderValue> {
  const value = column.json(row, 'headers');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RowShapeError('headers', 'a JSON object', value);
  }
  for (const each of Object.values(value)) {
    if (each !== null && !['string', 'number', 'boolean'].includes(typeof each)) {
      throw new RowShapeError('headers', 'header values (text, numbers, booleans or null)', each);
    }
  }
  return value as Record<string, HeaderValue>;
}
