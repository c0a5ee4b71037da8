import type { Headers, HeaderValue, TransportMessage } from '@switchyard/bus';
import type { Message, Options } from 'amqplib';

/** AMQP publish properties for a transport message: persistent, with ids and content type as properties. */
export function publishOptions(message: TransportMessage, mandatory: boolean): Options.Publish {
  return {
    persistent: true,
    mandatory,
    messageId: message.messageId,
    ...(message.correlationId ? { correlationId: message.correlationId } : {}),
    contentType: message.contentType,
    headers: { ...message.headers },
  };
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
  for (const [name, value] of Object.entries(table ?? {})) {
    if (value === null || value === undefined) headers[name] = null;
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      headers[name] = value;
    else if (typeof value === 'bigint') headers[name] = Number(value);
    else if (Buffer.isBuffer(value)) headers[name] = value.toString('utf8');
    else if (value instanceof Date) headers[name] = value.toISOString();
    else headers[name] = JSON.stringify(value);
  }
  return Object.fromEntries(Object.entries(headers));
}
