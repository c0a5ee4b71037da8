import type { Envelope, HostInfo } from '../envelope/envelope.ts';
import type { HeaderValue } from '../transport/transport.ts';
import { type Codec, EnvelopeDecodeError } from './codec.ts';

/**
 * MassTransit's JSON envelope (`application/vnd.masstransit+json`): camel-case fields, the message
 * under `message`, URNs in `messageType`. Absent fields are left out rather than written as null.
 */
export const massTransitJsonCodec: Codec = {
  contentType: 'application/vnd.masstransit+json',

  encode(envelope: Envelope): Uint8Array {
    // One object literal in MassTransit's field order; JSON.stringify leaves out the undefined ones.
    return Buffer.from(
      JSON.stringify({
        messageId: envelope.messageId,
        requestId: envelope.requestId,
        correlationId: envelope.correlationId,
        conversationId: envelope.conversationId,
        initiatorId: envelope.initiatorId,
        sourceAddress: envelope.sourceAddress,
        destinationAddress: envelope.destinationAddress,
        responseAddress: envelope.responseAddress,
        faultAddress: envelope.faultAddress,
        messageType: envelope.messageType,
        message: envelope.message,
        expirationTime: envelope.expirationTime,
        sentTime: envelope.sentTime,
        headers: envelope.headers,
        host: envelope.host,
      }),
    );
  },

  decode(body: Uint8Array): Envelope {
    let parsed: unknown;
    try {
      // Transports hand over Buffers; any other Uint8Array is viewed as one, without copying.
      const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      throw new EnvelopeDecodeError(`Message body is not valid JSON: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (!isRecord(parsed))
      throw new EnvelopeDecodeError(`Envelope must be a JSON object, got ${describe(parsed)}`);
    const messageId = requiredString(parsed, 'messageId');
    const messageType = parsed.messageType;
    if (
      !Array.isArray(messageType) ||
      messageType.length === 0 ||
      !messageType.every((urn) => typeof urn === 'string')
    ) {
      throw new EnvelopeDecodeError(
        `Envelope field "messageType" must be a non-empty array of URN strings, got ${describe(messageType)}`,
      );
    }
    if (!('message' in parsed)) throw new EnvelopeDecodeError('Envelope has no "message" field');
    // Absent fields are left out (not set to undefined) so a decoded envelope equals the encoded one.
    const envelope: Record<string, unknown> = { messageId };
    for (const field of optionalStringFields) {
      const value = optionalString(parsed, field);
      if (value !== undefined) envelope[field] = value;
    }
    envelope.messageType = messageType;
    envelope.message = parsed.message;
    envelope.sentTime = optionalTime(parsed, 'sentTime') ?? new Date(0).toISOString();
    const expirationTime = optionalTime(parsed, 'expirationTime');
    if (expirationTime !== undefined) envelope.expirationTime = expirationTime;
    envelope.headers = readHeaders(parsed.headers);
    const host = readHost(parsed.host);
    if (host) envelope.host = host;
    return envelope as unknown as Envelope;
  },
};

const optionalStringFields = [
  'correlationId',
  'conversationId',
  'initiatorId',
  'requestId',
  'sourceAddress',
  'destinationAddress',
  'responseAddress',
  'faultAddress',
] as const satisfies readonly (keyof Envelope)[];

function requiredString(json: Record<string, unknown>, field: string): string {
  const value = json[field];
  if (typeof value !== 'string' || value === '') {
    throw new EnvelopeDecodeError(
      `Envelope field "${field}" must be a non-empty string, got ${describe(value)}`,
    );
  }
  return value;
}

function optionalString(json: Record<string, unknown>, field: string): string | undefined {
  const value = json[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new EnvelopeDecodeError(`Envelope field "${field}" must be a string, got ${describe(value)}`);
  }
  return value;
}

function optionalTime(json: Record<string, unknown>, field: string): string | undefined {
  const value = optionalString(json, field);
  if (value !== undefined && Number.isNaN(Date.parse(value))) {
    throw new EnvelopeDecodeError(
      `Envelope field "${field}" must be an ISO-8601 time, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Header values that are not scalars (MassTransit allows any JSON) are kept as their JSON text. */
function readHeaders(value: unknown): Record<string, HeaderValue> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value))
    throw new EnvelopeDecodeError(`Envelope field "headers" must be an object, got ${describe(value)}`);
  // JSON.parse made this object for this envelope alone, with own properties only (a "__proto__"
  // header included), so when every value is a scalar it is kept as it is rather than copied.
  let scalarsOnly = true;
  for (const name in value) {
    const header = value[name];
    if (
      !(
        header === null ||
        typeof header === 'string' ||
        typeof header === 'number' ||
        typeof header === 'boolean'
      )
    ) {
      scalarsOnly = false;
      break;
    }
  }
  if (scalarsOnly) return value as Record<string, HeaderValue>;
  // fromEntries defines own properties, so a header named "__proto__" stays a header.
  return Object.fromEntries(
    Object.entries(value).map(([name, header]): [string, HeaderValue] => [
      name,
      header === null ||
      typeof header === 'string' ||
      typeof header === 'number' ||
      typeof header === 'boolean'
        ? header
        : JSON.stringify(header),
    ]),
  );
}

function readHost(value: unknown): HostInfo | undefined {
  if (!isRecord(value)) return undefined;
  const host: Record<string, string | number> = {};
  for (const field of hostTextFields) if (typeof value[field] === 'string') host[field] = value[field];
  if (typeof value.processId === 'number') host.processId = value.processId;
  return host;
}

const hostTextFields = [
  'machineName',
  'processName',
  'assembly',
  'assemblyVersion',
  'frameworkVersion',
  'massTransitVersion',
  'operatingSystemVersion',
] as const satisfies readonly (keyof HostInfo)[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
