import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { massTransitJsonCodec } from '@switchyard/bus';
import { capturedMessageFrom } from '../src/capture/captured-envelope.ts';
import { CaptureUnreadableError } from '../src/regression-errors.ts';
import { envelopeMessage } from './capture-fixtures.ts';

const source = { run: 'r', environment: 'candidate' } as const;
const capturedAt = new Date('2026-02-03T04:05:06.789Z');

function withBody(body: string) {
  return {
    messageId: 'm',
    contentType: massTransitJsonCodec.contentType,
    body: Buffer.from(body),
    headers: {},
  };
}

describe('reading a captured envelope', () => {
  it('keeps the most specific type, the ids, the times and the message', () => {
    const transportMessage = envelopeMessage('order-1', 4);
    const captured = capturedMessageFrom(transportMessage, source, capturedAt);
    assert.equal(captured.messageId, transportMessage.messageId);
    assert.equal(captured.correlationId, 'order-1');
    assert.equal(captured.messageType, 'urn:message:Milkround.Orders:OrderPlaced');
    assert.equal(captured.capturedAt, '2026-02-03T04:05:06.789Z');
    assert.deepEqual(captured.message, { orderId: 'order-1', index: 4 });
    assert.equal(captured.environment, 'candidate');
  });

  it('calls a body that is not an envelope unreadable', () => {
    for (const body of ['{"oops"', '[]', '{"messageId":"m","messageType":[],"message":{}}']) {
      assert.throws(() => capturedMessageFrom(withBody(body), source, capturedAt), CaptureUnreadableError);
    }
  });

  it('calls a sentTime the store cannot hold unreadable, rather than failing the store for ever', () => {
    const body = JSON.stringify({
      messageId: 'm',
      messageType: ['urn:message:X'],
      message: {},
      sentTime: '+020000-01-01T00:00:00Z',
    });
    assert.throws(
      () => capturedMessageFrom(withBody(body), source, capturedAt),
      /sentTime the store cannot hold/,
    );
  });
});
