import type { OutboxEntry } from '@switchyard/bus';
import { column } from '../sql/row-values.ts';
import type { Row } from '../sql/sql-client.ts';

/** The columns an outbox entry is read from, in the order `entryFromRow` expects. */
export const outboxColumns =
  'id, kind, destination, message_id, correlation_id, content_type, body, headers, delay_ms, conversation_id, created_at';

/** An outbox row as the entry the bus dispatches; absent optional fields are left out. */
export function entryFromRow(row: Row): OutboxEntry {
  const kind = column.text(row, 'kind');
  if (kind !== 'publish' && kind !== 'send') throw new RangeError(`Outbox row has unknown kind "${kind}"`);
  const correlationId = column.optionalText(row, 'correlation_id');
  const delayMs = column.optionalInteger(row, 'delay_ms');
  const conversationId = column.optionalText(row, 'conversation_id');
  return {
    id: column.text(row, 'id'),
    kind,
    destination: column.text(row, 'destination'),
    message: {
      messageId: column.text(row, 'message_id'),
      ...(correlationId !== undefined ? { correlationId } : {}),
      contentType: column.text(row, 'content_type'),
      body: column.bytes(row, 'body'),
      headers: column.json(row, 'headers') as OutboxEntry['message']['headers'],
    },
    ...(delayMs !== undefined ? { delayMs } : {}),
    ...(conversationId !== undefined ? { conversationId } : {}),
    createdAt: column.timestamp(row, 'created_at'),
  };
}
