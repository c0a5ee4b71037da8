import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cutOffFor,
  describeCutOff,
  firstOpenDeliveryDate,
  isOpen,
  regionToday,
} from '../../src/modules/orders/cut-off.ts';
import { weekdayOf } from '../../src/modules/orders/weekdays.ts';

const iso = (date: Date) => date.toISOString();

describe('cut-off', () => {
  it('closes at 20:00 GMT in winter and 20:00 BST in summer for the UK', () => {
    assert.equal(iso(cutOffFor('2026-01-15', 'UK')), '2026-01-14T20:00:00.000Z');
    assert.equal(iso(cutOffFor('2026-07-15', 'UK')), '2026-07-14T19:00:00.000Z');
  });

  it('closes at 20:00 EST in winter and 20:00 EDT in summer for the US, on the UTC day after', () => {
    assert.equal(iso(cutOffFor('2026-01-15', 'US')), '2026-01-15T01:00:00.000Z');
    assert.equal(iso(cutOffFor('2026-07-15', 'US')), '2026-07-15T00:00:00.000Z');
  });

  it('follows America/New_York springing forward on 2026-03-08', () => {
    // Deliveries on the 8th close the evening before, still on EST; the 9th's close on the 8th, on EDT.
    assert.equal(iso(cutOffFor('2026-03-08', 'US')), '2026-03-08T01:00:00.000Z');
    assert.equal(iso(cutOffFor('2026-03-09', 'US')), '2026-03-09T00:00:00.000Z');
    // The day of the change has 23 hours, so the cut-offs are 23 hours apart.
    assert.equal(
      cutOffFor('2026-03-09', 'US').getTime() - cutOffFor('2026-03-08', 'US').getTime(),
      23 * 3_600_000,
    );
  });

  it('follows Europe/London springing forward on 2026-03-29', () => {
    assert.equal(iso(cutOffFor('2026-03-29', 'UK')), '2026-03-28T20:00:00.000Z');
    assert.equal(iso(cutOffFor('2026-03-30', 'UK')), '2026-03-29T19:00:00.000Z');
    assert.equal(
      cutOffFor('2026-03-30', 'UK').getTime() - cutOffFor('2026-03-29', 'UK').getTime(),
      23 * 3_600_000,
    );
  });

  it('follows Europe/London falling back on 2026-10-25', () => {
    assert.equal(iso(cutOffFor('2026-10-25', 'UK')), '2026-10-24T19:00:00.000Z');
    assert.equal(iso(cutOffFor('2026-10-26', 'UK')), '2026-10-25T20:00:00.000Z');
    assert.equal(
      cutOffFor('2026-10-26', 'UK').getTime() - cutOffFor('2026-10-25', 'UK').getTime(),
      25 * 3_600_000,
    );
  });

  it('follows America/New_York falling back on 2026-11-01', () => {
    assert.equal(iso(cutOffFor('2026-11-01', 'US')), '2026-11-01T00:00:00.000Z');
    assert.equal(iso(cutOffFor('2026-11-02', 'US')), '2026-11-02T01:00:00.000Z');
    assert.equal(
      cutOffFor('2026-11-02', 'US').getTime() - cutOffFor('2026-11-01', 'US').getTime(),
      25 * 3_600_000,
    );
  });

  it('leaves one zone alone on the other zone’s change days', () => {
    assert.equal(iso(cutOffFor('2026-03-09', 'UK')), '2026-03-08T20:00:00.000Z');
    assert.equal(iso(cutOffFor('2026-03-30', 'US')), '2026-03-30T00:00:00.000Z');
    assert.equal(iso(cutOffFor('2026-10-26', 'US')), '2026-10-26T00:00:00.000Z');
    assert.equal(iso(cutOffFor('2026-11-02', 'UK')), '2026-11-01T20:00:00.000Z');
  });

  it('is open until the cut-off instant and closed from it', () => {
    const closes = cutOffFor('2026-11-24', 'UK');
    assert.equal(isOpen('2026-11-24', 'UK', new Date(closes.getTime() - 1)), true);
    assert.equal(isOpen('2026-11-24', 'UK', closes), false);
  });

  it('finds the first open delivery date on the region’s own calendar', () => {
    // London closes tomorrow's orders at 20:00 GMT...
    assert.equal(firstOpenDeliveryDate(new Date('2026-11-23T19:59:59Z'), 'UK'), '2026-11-24');
    assert.equal(firstOpenDeliveryDate(new Date('2026-11-23T20:00:00Z'), 'UK'), '2026-11-25');
    // ...while New York, five hours behind, is still before its 20:00 at 00:59 UTC the next day.
    assert.equal(regionToday(new Date('2026-11-24T00:59:00Z'), 'US'), '2026-11-23');
    assert.equal(firstOpenDeliveryDate(new Date('2026-11-24T00:59:00Z'), 'US'), '2026-11-24');
    assert.equal(firstOpenDeliveryDate(new Date('2026-11-24T01:00:00Z'), 'US'), '2026-11-25');
  });

  it('says when and where orders closed', () => {
    assert.equal(
      describeCutOff('2026-03-30', 'UK'),
      '20:00 Europe/London on 2026-03-29 (2026-03-29T19:00:00.000Z)',
    );
  });
});

describe('weekdays', () => {
  it('names weekdays, Monday first', () => {
    assert.equal(weekdayOf('2026-11-23'), 'mon');
    assert.equal(weekdayOf('2026-11-29'), 'sun');
  });
});
