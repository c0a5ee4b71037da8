import type { Headers, HeaderValue, TransportMessage } from '@switchyard/bus';
import type { Message, Options } from 'amqplib';

/** AMQP publish properties for a transport message: persistent, with ids and content type as properties. */
export function publishOptions(message: TransportMessage, mandatory: boolean): Options.Publish {
  const options: Options.Publish = {
    persistent: true,
    mandatory,
    messageId: message.messageId,
    contentType: message.contentType,
    // amqplib only reads the table, so the message's own headers are handed over as they are.
    headers: message.headers,
  };
  if (message.correlationId) options.correlationId = message.correlationId;
  return options;
}

/** The transport message an AMQP delivery carries. */
export function fromDelivery(delivery: Message): TransportMessage {
  const { properties } = delivery;
  return {
    messageId: String(properties.messageId ?? ''),
    correlationId: properties.correlationId ? String(properties.correlationId) : undefined,
    contentType: String(properties.contentType ?? ''),
    body: delivery.content,
    headers: readHeaders(properties.headers),
  };
}

/** AMQP tables can hold nested tables, arrays and byte strings; the bus's headers are scalars. */
function readHeaders(table: Record<string, unknown> | undefined): Headers {
  const headers: Record<string, HeaderValue> = {};
  if (!table) return headers;
  for (const name of Object.keys(table)) {
    const value = scalarOf(table[name]);
    // Assigning "__proto__" would set the prototype; defining it keeps it an ordinary header.
    if (name === '__proto__')
      Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
    else headers[name] = value;
  }
  return headers;
}

function scalarOf(value: unknown): HeaderValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}
