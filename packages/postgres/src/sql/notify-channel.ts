import { createHash } from 'node:crypto';

/** PostgreSQL cuts identifiers, channel names included, to 63 bytes. */
const maxChannelBytes = 63;

/**
 * The NOTIFY channel for one purpose (`yard_scheduled_`, `yard_transport_`, `yard_outbox_`) on one
 * schema, the same in every process. PGlite sends LISTEN with the name unquoted, so the name must be a
 * plain lower-case identifier: the schema itself when it is one and short enough, otherwise a hash.
 */
export function notifyChannel(prefix: string, schema: string): string {
  const readable = `${prefix}${schema}`;
  if (/^[a-z0-9_]+$/.test(schema) && Buffer.byteLength(readable) <= maxChannelBytes) return readable;
  return `${prefix}${createHash('sha256').update(schema).digest('hex').slice(0, 32)}`;
}
