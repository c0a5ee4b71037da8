import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dueOrdersOf } from '../../src/modules/orders/due-orders.ts';
import { combineRequestedLines, discountedPrice, mergeLines } from '../../src/modules/orders/pricing.ts';

describe('pricing', () => {
  it('takes the discount off and rounds to the nearest minor unit, halves up', () => {
    assert.equal(discountedPrice(95, 0), 95);
    assert.equal(discountedPrice(95, 10), 86); // 85.5
    assert.equal(discountedPrice(95, 15), 81); // 80.75
    assert.equal(discountedPrice(260, 10), 234);
  });

  it('rounds only exact halves down when a build says so, and every other price as before', () => {
    assert.equal(discountedPrice(95, 10, 'down'), 85); // 85.5
    assert.equal(discountedPrice(90, 15, 'down'), 76); // 76.5
    assert.equal(discountedPrice(95, 15, 'down'), 81); // 80.75: not a half, still to the nearest
    assert.equal(discountedPrice(249, 10, 'down'), 224); // 224.1
    for (let price = 1; price < 500; price += 1) {
      for (const discount of [0, 10, 15, 33]) {
        const up = discountedPrice(price, discount, 'up');
        const down = discountedPrice(price, discount, 'down');
        const half = (price * (100 - discount)) % 100 === 50;
        assert.equal(up - down, half ? 1 : 0, `${price} at ${discount}%`);
      }
    }
  });

  it('adds up a product asked for twice in one order', () => {
    assert.deepEqual(
      combineRequestedLines([
        { sku: 'milk-1pt', quantity: 2 },
        { sku: 'eggs-6', quantity: 1 },
        { sku: 'milk-1pt', quantity: 1 },
      ]),
      [
        { sku: 'eggs-6', quantity: 1 },
        { sku: 'milk-1pt', quantity: 3 },
      ],
    );
  });

  it('merges lines of a product at one price and keeps two prices apart', () => {
    assert.deepEqual(
      mergeLines([
        { sku: 'milk-1pt', quantity: 2, unitPriceMinor: 86 },
        { sku: 'eggs-6', quantity: 1, unitPriceMinor: 234 },
        { sku: 'milk-1pt', quantity: 1, unitPriceMinor: 86 },
        { sku: 'milk-1pt', quantity: 1, unitPriceMinor: 95 },
      ]),
      [
        { sku: 'eggs-6', quantity: 1, unitPriceMinor: 234 },
        { sku: 'milk-1pt', quantity: 3, unitPriceMinor: 86 },
        { sku: 'milk-1pt', quantity: 1, unitPriceMinor: 95 },
      ],
    );
  });

  it('makes one due order per customer naming each of their orders once', () => {
    const row = (orderId: string, customerId: string, sku: string, quantity: number) => ({
      orderId,
      customerId,
      region: 'UK' as const,
      postcode: 'BS1 4DJ',
      line: { sku, quantity, unitPriceMinor: 95 },
    });
    const due = dueOrdersOf([
      row('o-1', 'c-1', 'milk-1pt', 2),
      row('o-1', 'c-1', 'oat-1l', 1),
      row('o-2', 'c-1', 'milk-1pt', 1),
      row('o-3', 'c-2', 'milk-1pt', 1),
    ]);
    assert.equal(due.length, 2);
    assert.deepEqual(due[0]?.orderIds, ['o-1', 'o-2']);
    assert.deepEqual(
      due[0]?.lines.map((line) => [line.sku, line.quantity]),
      [
        ['milk-1pt', 3],
        ['oat-1l', 1],
      ],
    );
  });
});
