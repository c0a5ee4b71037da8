import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Envelope, EnvelopeDecodeError, massTransitJsonCodec, uuidv7 } from '@switchyard/bus';
import fc from 'fast-check';

// The envelope fields and their camel-case names follow MassTransit's documented JSON envelope
// (content type application/vnd.masstransit+json, https://masstransit.io/architecture/interoperability),
// as written by its System.Text.Json serializer.
const fromMassTransit = `{
  "messageId": "18000000-5d5b-0015-5a2c-08dc1a3c8c7b",
  "requestId": "18000000-5d5b-0015-4f4e-08dc1a3c8c7a",
  "correlationId": "b7a2c3d4-0000-0000-0000-000000000001",
  "conversationId": "18000000-5d5b-0015-6b1c-08dc1a3c8c79",
  "initiatorId": null,
  "sourceAddress": "rabbitmq://localhost/milkround/DESKTOP01_Orders_bus_abcdyyn5i7ofw3ajbdpdjh8tnq",
  "destinationAddress": "rabbitmq://localhost/milkround/stock",
  "responseAddress": "rabbitmq://localhost/milkround/DESKTOP01_Orders_bus_abcdyyn5i7ofw3ajbdpdjh8tnq?temporary=true",
  "faultAddress": null,
  "messageType": ["urn:message:Milkround.Contracts:CheckStock"],
  "message": { "sku": "milk-1l", "warehouse": { "code": "MAN-1" } },
  "expirationTime": "2026-11-23T09:00:30.1234567Z",
  "sentTime": "2026-11-23T09:00:00.1234567Z",
  "headers": { "MT-Request-AcceptType": ["urn:message:Milkround.Contracts:StockLevel"], "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
  "host": {
    "machineName": "DESKTOP01",
    "processName": "Milkround.Orders",
    "processId": 4242,
    "assembly": "Milkround.Orders",
    "assemblyVersion": "1.0.0.0",
    "frameworkVersion": "8.0.1",
    "massTransitVersion": "8.1.3.0",
    "operatingSystemVersion": "Microsoft Windows NT 10.0.22631.0"
  }
}`;

describe('MassTransit JSON codec', () => {
  it('reads an envelope as MassTransit writes it', () => {
    const envelope = massTransitJsonCodec.decode(Buffer.from(fromMassTransit));
    assert.equal(envelope.messageId, '18000000-5d5b-0015-5a2c-08dc1a3c8c7b');
    assert.equal(envelope.requestId, '18000000-5d5b-0015-4f4e-08dc1a3c8c7a');
    assert.equal(envelope.initiatorId, undefined, 'null means absent');
    assert.deepEqual(envelope.messageType, ['urn:message:Milkround.Contracts:CheckStock']);
    assert.deepEqual(envelope.message, { sku: 'milk-1l', warehouse: { code: 'MAN-1' } });
    assert.equal(envelope.sentTime, '2026-11-23T09:00:00.1234567Z');
    assert.equal(envelope.headers.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    assert.equal(
      envelope.headers['MT-Request-AcceptType'],
      '["urn:message:Milkround.Contracts:StockLevel"]',
      'non-scalar headers are kept as JSON text',
    );
    assert.equal(envelope.host?.massTransitVersion, '8.1.3.0');
    assert.equal(envelope.host?.processId, 4242);
  });

  it('writes the fields MassTransit reads, leaving out absent ones', () => {
    const envelope: Envelope = {
      messageId: uuidv7(),
      conversationId: uuidv7(),
      messageType: ['urn:message:milkround.orders:OrderPlaced'],
      message: { orderId: 'o-1' },
      sentTime: '2026-11-23T09:00:00.000Z',
      headers: {},
      destinationAddress: 'rabbitmq://localhost/milkround/milkround.orders:OrderPlaced',
    };
    const json = JSON.parse(Buffer.from(massTransitJsonCodec.encode(envelope)).toString());
    assert.deepEqual(Object.keys(json), [
      'messageId',
      'conversationId',
      'destinationAddress',
      'messageType',
      'message',
      'sentTime',
      'headers',
    ]);
    assert.equal(massTransitJsonCodec.contentType, 'application/vnd.masstransit+json');
  });

  it('round-trips any envelope', () => {
    fc.assert(
      fc.property(envelopeArbitrary, (envelope) => {
        const decoded = massTransitJsonCodec.decode(massTransitJsonCodec.encode(envelope));
        assert.deepEqual(decoded, envelope);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a header named __proto__ as a header', () => {
    const body =
      '{"messageId":"x","messageType":["urn:message:a:B"],"message":1,"headers":{"__proto__":"x"}}';
    const { headers } = massTransitJsonCodec.decode(Buffer.from(body));
    assert.deepEqual(Object.keys(headers), ['__proto__']);
    assert.equal(Object.getPrototypeOf(headers), Object.prototype);
  });

  it('rejects what is not an envelope, saying what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['not json', /not valid JSON/],
      ['[1,2]', /must be a JSON object, got an array of 2/],
      [
        '{"messageType":["urn:message:a:B"],"message":{}}',
        /"messageId" must be a non-empty string, got nothing/,
      ],
      ['{"messageId":"x","messageType":[],"message":{}}', /"messageType" must be a non-empty array/],
      ['{"messageId":"x","messageType":["urn:message:a:B"]}', /no "message" field/],
      [
        '{"messageId":"x","messageType":["urn:message:a:B"],"message":1,"sentTime":"yesterday"}',
        /"sentTime" must be an ISO-8601 time, got "yesterday"/,
      ],
      [
        '{"messageId":"x","messageType":["urn:message:a:B"],"message":1,"correlationId":7}',
        /"correlationId" must be a string, got number 7/,
      ],
    ];
    for (const [body, expected] of cases) {
      assert.throws(
        () => massTransitJsonCodec.decode(Buffer.from(body)),
        (error: unknown) => error instanceof EnvelopeDecodeError && expected.test(error.message),
        body,
      );
    }
  });
});

const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const isoTime = fc
  .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
  .map((date) => date.toISOString());
const address = fc.constantFrom(
  'rabbitmq://localhost/vh/orders',
  'loopback://localhost/billing',
  'queue:returns',
);
const header = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));

const envelopeArbitrary: fc.Arbitrary<Envelope> = fc
  .record({
    messageId: fc.uuid(),
    correlationId: optional(fc.uuid()),
    conversationId: optional(fc.uuid()),
    initiatorId: optional(fc.uuid()),
    requestId: optional(fc.uuid()),
    sourceAddress: optional(address),
    destinationAddress: optional(address),
    responseAddress: optional(address),
    faultAddress: optional(address),
    messageType: fc.array(
      fc
        .stringMatching(/^[A-Za-z][A-Za-z0-9.]{0,20}:[A-Za-z][A-Za-z0-9]{0,20}$/)
        .map((name) => `urn:message:${name}`),
      { minLength: 1, maxLength: 3 },
    ),
    message: fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as unknown),
    sentTime: isoTime,
    expirationTime: optional(isoTime),
    headers: fc
      .dictionary(fc.string({ minLength: 1 }), header)
      .map((headers) => Object.fromEntries(Object.entries(headers))),
    host: optional(
      fc
        .record(
          { machineName: fc.string(), processId: fc.nat(), frameworkVersion: fc.string() },
          { requiredKeys: [] },
        )
        .map((host) => ({ ...host })),
    ),
  })
  .map((envelope) => {
    const copy: Record<string, unknown> = { ...envelope };
    for (const key of Object.keys(copy)) if (copy[key] === undefined) delete copy[key];
    return copy as unknown as Envelope;
  });
