import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type Bus,
  consumer,
  createBus,
  type Delivery,
  defineMessage,
  type HeaderValue,
  massTransitJsonCodec,
  receiveEndpoint,
  type Transport,
  transportHeaders,
  uuidv7,
} from '@switchyard/bus';
import fc from 'fast-check';
import { z } from 'zod';
import { type TransportFixture, waitUntil } from './transport-contract.ts';

const Order = defineMessage(
  'switchyard.tests.PropertyOrder',
  z.object({ id: z.string(), quantity: z.number().int().positive() }),
);

/** How hard to push one transport: runs, the largest header value, and how long to wait for a second outcome. */
export interface DeliveryInputLimits {
  readonly numRuns: number;
  readonly maxHeaderChars: number;
  readonly quietMs: number;
}

/** The bus's own header names, which arbitrary producers get to set too. */
const busHeaderNames = [
  ...Object.values(transportHeaders),
  'x-death',
  'x-delivery-count',
  'x-first-death-queue',
  '__proto__',
  'constructor',
];

const headerValue = (maxChars: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant('x'.repeat(maxChars)),
    // Not a scalar at all: what a producer that ignores the type can still put in a table.
    fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
  );

const headerTable = (maxChars: number) =>
  fc.dictionary(
    fc.oneof(fc.constantFrom(...busHeaderNames), fc.string({ minLength: 1, maxLength: 20 })),
    headerValue(maxChars),
    { maxKeys: 6 },
  );

/** A body that is a valid envelope, an envelope gone wrong in one field, JSON of anything, or bytes. */
const body = fc.oneof(
  fc.record({ id: fc.string({ maxLength: 20 }), quantity: fc.integer({ min: 1, max: 99 }) }).map((order) => ({
    kind: 'valid' as const,
    bytes: envelope({ message: order }),
  })),
  fc
    .record({
      messageType: fc.oneof(fc.constant([Order.urn]), fc.array(fc.string(), { maxLength: 2 }), fc.anything()),
      message: fc.anything(),
      messageId: fc.oneof(fc.uuid(), fc.string(), fc.integer()),
      expirationTime: fc.oneof(
        fc.constant(undefined),
        // An invalid Date has no ISO form: the generator would throw before any input reached the wire.
        fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
        fc.string(),
      ),
      headers: fc.oneof(fc.constant(undefined), fc.anything()),
    })
    .map((fields) => ({ kind: 'envelope' as const, bytes: envelope(fields) })),
  fc.jsonValue().map((value) => ({ kind: 'json' as const, bytes: Buffer.from(JSON.stringify(value)) })),
  fc.uint8Array({ maxLength: 512 }).map((bytes) => ({ kind: 'bytes' as const, bytes: Buffer.from(bytes) })),
);

const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constant(massTransitJsonCodec.contentType) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('application/json', 'text/plain', '', 'application/vnd.masstransit+xml'),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

/**
 * Whatever a producer puts on the wire (bytes, content type, a header table with the bus's own names,
 * values of any type and size), a bus consuming it never crashes and never acknowledges it unhandled:
 * it is handled once when valid, else it lands once in the error or skipped queue with a reason, and
 * the bus's redelivery state from the producer never goes with it.
 */
export function deliveryInputProperty(
  name: string,
  createFixture: () => Promise<TransportFixture>,
  limits: DeliveryInputLimits,
): void {
  describe(`Any input on the wire, ${name}`, () => {
    let fixture: TransportFixture;
    let bus: Bus;
    let producer: Transport;
    const queue = `prop-${Math.random().toString(36).slice(2, 8)}`;
    const handled: string[] = [];
    const errors: Delivery[] = [];
    const skipped: Delivery[] = [];
    const outcomes = () => handled.length + errors.length + skipped.length;

    before(async () => {
      fixture = await createFixture();
      const transport = await fixture.connect();
      bus = createBus({
        transport,
        endpoints: [
          receiveEndpoint(queue, {
            retry: { immediate: { limit: 0 } },
            consumers: [consumer(Order, (order) => void handled.push(order.id))],
          }),
        ],
      });
      await bus.start();
      producer = await fixture.connect();
      await producer.consume(`${queue}_error`, { prefetch: 50 }, (delivery) => {
        errors.push(delivery);
        void delivery.ack();
      });
      await producer.consume(`${queue}_skipped`, { prefetch: 50 }, (delivery) => {
        skipped.push(delivery);
        void delivery.ack();
      });
    });
    after(async () => {
      await bus?.stop().catch(() => {});
      await producer?.close().catch(() => {});
      await fixture?.dispose();
    });

    it('is handled once when valid, else lands once in the error or skipped queue with a reason', async () => {
      await fc.assert(
        fc.asyncProperty(
          body,
          contentType,
          headerTable(limits.maxHeaderChars),
          async (sentBody, type, headers) => {
            const before = outcomes();
            const errorsBefore = errors.length;
            const skippedBefore = skipped.length;
            const message = {
              messageId: uuidv7(),
              contentType: type,
              body: sentBody.bytes,
              headers: headers as Record<string, HeaderValue>,
            };
            try {
              await producer.send(queue, message);
            } catch {
              return; // refused at the producer's end (a table the transport cannot carry): nothing queued
            }
            await waitUntil(() => outcomes() > before, 10_000, 'an outcome for the message');
            await new Promise((resolve) => setTimeout(resolve, limits.quietMs));
            assert.equal(outcomes(), before + 1, 'exactly one outcome');

            const validInput = sentBody.kind === 'valid' && type === massTransitJsonCodec.contentType;
            if (validInput) assert.equal(errors.length + skipped.length, errorsBefore + skippedBefore);
            const moved = errors[errorsBefore] ?? skipped[skippedBefore];
            if (!moved) return;
            const movedHeaders = moved.message.headers;
            assert.ok(movedHeaders[transportHeaders.reason], 'a reason');
            if (moved === errors[errorsBefore]) {
              assert.equal(movedHeaders[transportHeaders.reason], 'fault');
              assert.ok(
                String(movedHeaders[transportHeaders.faultMessage] ?? '').length > 0,
                'a fault message',
              );
            }
            assert.equal(Buffer.compare(Buffer.from(moved.message.body), Buffer.from(sentBody.bytes)), 0);
            for (const name of [
              transportHeaders.completedConsumers,
              transportHeaders.redeliveryQueue,
              transportHeaders.unsettledDeliveries,
            ]) {
              assert.equal(movedHeaders[name], undefined, `${name} is not passed on`);
            }
          },
        ),
        { numRuns: limits.numRuns },
      );
    });
  });
}

function envelope(fields: Record<string, unknown>): Buffer {
  return Buffer.from(
    JSON.stringify({
      messageId: uuidv7(),
      messageType: [Order.urn],
      sentTime: new Date().toISOString(),
      ...fields,
    }),
  );
}
