import { column, type Row } from '@switchyard/postgres';
import type { CapturedMessage, CaptureEnvironment } from '../captured-message.ts';
import type { ComparisonResult, StoredMalformedCapture } from './capture-store.ts';

/** Reads a captured_messages row back into the shape taps wrote. */
export function capturedMessageOf(row: Row): CapturedMessage {
  return {
    run: column.text(row, 'run'),
    environment: column.text(row, 'environment') as CaptureEnvironment,
    messageId: column.text(row, 'message_id'),
    correlationId: column.optionalText(row, 'correlation_id'),
    conversationId: column.optionalText(row, 'conversation_id'),
    messageType: column.text(row, 'message_type'),
    sentTime: column.timestamp(row, 'sent_time').toISOString(),
    capturedAt: column.timestamp(row, 'captured_at').toISOString(),
    message: row.message ?? undefined,
    headers: (row.headers ?? {}) as CapturedMessage['headers'],
  };
}

export function malformedCaptureOf(row: Row): StoredMalformedCapture {
  return {
    environment: column.text(row, 'environment') as CaptureEnvironment,
    transportMessageId: column.optionalText(row, 'transport_message_id'),
    body: column.text(row, 'body'),
    bodyBytes: column.integer(row, 'body_bytes'),
    reason: column.text(row, 'reason'),
    capturedAt: column.timestamp(row, 'captured_at').toISOString(),
  };
}

export function comparisonResultOf(row: Row): ComparisonResult {
  return {
    seq: column.integer(row, 'seq'),
    groupKey: column.text(row, 'group_key'),
    reconciler: column.text(row, 'reconciler'),
    outcome: row.outcome,
    comparedAt: column.timestamp(row, 'compared_at').toISOString(),
  };
}

/** `outcome.kind` when the outcome is an object with a text kind: the summary counts by it. */
export function outcomeKindOf(outcome: unknown): string | null {
  if (typeof outcome !== 'object' || outcome === null) return null;
  const kind = (outcome as { kind?: unknown }).kind;
  return typeof kind === 'string' ? kind : null;
}
