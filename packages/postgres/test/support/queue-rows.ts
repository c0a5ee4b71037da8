import { column, type SqlClient } from '@switchyard/postgres';

/** A message waiting in a PostgreSQL transport queue, read straight from its table. */
export interface QueuedRow {
  readonly messageId: string;
  readonly headers: Record<string, unknown>;
  readonly body: string;
}

/** The messages in `queue`, oldest first, without taking them. */
export async function queuedRows(client: SqlClient, schema: string, queue: string): Promise<QueuedRow[]> {
  const { rows } = await client.query(
    `select message_id, headers, body from ${schema}.yard_messages where queue = $1 order by id`,
    [queue],
  );
  return rows.map((row) => ({
    messageId: column.text(row, 'message_id'),
    headers: column.json(row, 'headers') as Record<string, unknown>,
    body: Buffer.from(column.bytes(row, 'body')).toString(),
  }));
}

/** The messages in `queue` once there are any, or none after `timeoutMs` (the caller asserts). */
export async function queuedRowsOnceAny(
  client: SqlClient,
  schema: string,
  queue: string,
  timeoutMs = 5_000,
): Promise<QueuedRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await queuedRows(client, schema, queue);
    if (rows.length > 0 || Date.now() > deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
