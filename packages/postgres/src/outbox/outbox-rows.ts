import type { OutboxEntry } from '@switchyard/bus';
import { outgoingFromRow } from '../messages/message-rows.ts';
import { column } from '../sql/row-values.ts';
import type { Row } from '../sql/sql-client.ts';

/** The columns an outbox entry is read from, in the order `entryFromRow` expects. */
export const outboxColumns =
  'id, kind, destination, message_id, correlation_id, content_type, body, headers, delay_ms, conversation_id, created_at';

/** An outbox row as the entry the bus dispatches; absent optional fields are left out. */
export function entryFromRow(row: Row): OutboxEntry {
  return {
    id: column.text(row, 'id'),
    ...outgoingFromRow(row),
    createdAt: column.timestamp(row, 'created_at'),
  };
}
