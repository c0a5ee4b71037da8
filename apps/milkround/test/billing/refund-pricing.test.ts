import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ChargeForRefund, priceRefund } from '../../src/modules/billing/refund-pricing.ts';

const ask = { customerId: 'c-1', deliveryId: 'd-1', sku: 'milk-1pt', quantity: 1 };

function charge(
  lines: { sku: string; quantity: number; unitPriceMinor: number; refundedQuantity?: number }[],
) {
  return {
    customerId: 'c-1',
    lines: lines.map((line, index) => ({ lineNumber: index + 1, refundedQuantity: 0, ...line })),
  } satisfies ChargeForRefund;
}

describe('refund pricing', () => {
  it('refuses when nothing was charged for the delivery', () => {
    assert.deepEqual(priceRefund(undefined, ask), {
      kind: 'refuse',
      reason: 'Nothing was charged for delivery d-1',
    });
  });

  it('refuses a delivery charged to someone else, and a SKU the delivery did not charge', () => {
    const charged = charge([{ sku: 'milk-1pt', quantity: 2, unitPriceMinor: 95 }]);
    assert.match(
      (priceRefund(charged, { ...ask, customerId: 'c-2' }) as { reason: string }).reason,
      /charged to another customer, not to c-2/,
    );
    assert.deepEqual(priceRefund(charged, { ...ask, sku: 'eggs-6' }), {
      kind: 'refuse',
      reason: 'Nothing was charged for SKU eggs-6 on delivery d-1',
    });
  });

  it('prices each unit at what it was charged, across lines of one SKU, up to the units not yet refunded', () => {
    const charged = charge([
      { sku: 'milk-1pt', quantity: 2, unitPriceMinor: 95, refundedQuantity: 1 },
      { sku: 'eggs-6', quantity: 1, unitPriceMinor: 250 },
      { sku: 'milk-1pt', quantity: 3, unitPriceMinor: 80 },
    ]);
    assert.deepEqual(priceRefund(charged, { ...ask, quantity: 3 }), {
      kind: 'issue',
      quantity: 3,
      amountMinor: 95 + 80 + 80,
      parts: [
        { lineNumber: 1, quantity: 1 },
        { lineNumber: 3, quantity: 2 },
      ],
    });
    assert.deepEqual(priceRefund(charged, { ...ask, quantity: 10 }), {
      kind: 'issue',
      quantity: 4,
      amountMinor: 95 + 3 * 80,
      parts: [
        { lineNumber: 1, quantity: 1 },
        { lineNumber: 3, quantity: 3 },
      ],
    });
  });

  it('refuses a line already refunded in full', () => {
    const charged = charge([{ sku: 'milk-1pt', quantity: 2, unitPriceMinor: 95, refundedQuantity: 2 }]);
    assert.deepEqual(priceRefund(charged, ask), {
      kind: 'refuse',
      reason: 'SKU milk-1pt on delivery d-1 is already fully refunded (2 of 2 units)',
    });
  });
});
