import type { ScheduledMessage } from '@switchyard/bus';
import { outgoingFromRow } from '../messages/message-rows.ts';
import { column } from '../sql/row-values.ts';
import type { Row } from '../sql/sql-client.ts';

/** The columns a scheduled message is read from, as `scheduledFromRow` expects them. */
export const scheduledColumns =
  'id, due_at, kind, destination, message_id, correlation_id, content_type, body, headers, delay_ms, conversation_id';

/** A message claimed for delivery, with how many times it has been claimed (this time included). */
export interface ClaimedMessage {
  readonly message: ScheduledMessage;
  readonly attempts: number;
}

/**
 * The values of `scheduledColumns` for a message, in that order (`$1` to `$11`). The due time is read
 * once here, so a caller changing its Date afterwards changes nothing stored.
 */
export function scheduledRowValues(message: ScheduledMessage): unknown[] {
  const dueAt = message.dueAt.getTime();
  if (Number.isNaN(dueAt)) throw new RangeError(`Scheduled message ${message.id} has an invalid dueAt`);
  const { outgoing } = message;
  return [
    message.id,
    new Date(dueAt),
    outgoing.kind,
    outgoing.destination,
    outgoing.message.messageId,
    outgoing.message.correlationId ?? null,
    outgoing.message.contentType,
    outgoing.message.body,
    JSON.stringify(outgoing.message.headers),
    outgoing.delayMs ?? null,
    outgoing.conversationId ?? null,
  ];
}

/** A row as a scheduled message the caller owns (fresh Date and body); absent optional fields are left out. */
export function scheduledFromRow(row: Row): ScheduledMessage {
  return {
    id: column.text(row, 'id'),
    dueAt: new Date(column.timestamp(row, 'due_at')),
    outgoing: outgoingFromRow(row),
  };
}

/** A claimed row (`scheduledColumns` and `attempts`) as the message to deliver. */
export function claimedFromRow(row: Row): ClaimedMessage {
  return { message: scheduledFromRow(row), attempts: column.integer(row, 'attempts') };
}
