import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays, localDate, zonedInstant } from '../../src/shared/zoned-time.ts';

describe('zoned time', () => {
  it('turns local times into instants across clock changes', () => {
    assert.equal(
      zonedInstant('2026-07-01', '22:30', 'America/New_York', 'refuse').toISOString(),
      '2026-07-02T02:30:00.000Z',
    );
    assert.equal(
      zonedInstant('2026-01-14', '20:00', 'Europe/London', 'refuse').toISOString(),
      '2026-01-14T20:00:00.000Z',
    );
    assert.equal(
      zonedInstant('2026-07-14', '20:00', 'Europe/London', 'refuse').toISOString(),
      '2026-07-14T19:00:00.000Z',
    );
  });

  it('takes the first of a repeated hour when clocks go back', () => {
    // 01:30 happens twice in London on 25 October 2026 (BST, then GMT), and in New York on 1 November.
    assert.equal(
      zonedInstant('2026-10-25', '01:30', 'Europe/London', 'refuse').toISOString(),
      '2026-10-25T00:30:00.000Z',
    );
    assert.equal(
      zonedInstant('2026-11-01', '01:30', 'America/New_York', 'later').toISOString(),
      '2026-11-01T05:30:00.000Z',
    );
  });

  it('refuses a time the clocks skip when asked to, naming it, or takes it an hour later', () => {
    assert.throws(
      () => zonedInstant('2026-03-29', '01:30', 'Europe/London', 'refuse'),
      /01:30 does not exist on 2026-03-29 in Europe\/London/,
    );
    assert.throws(
      () => zonedInstant('2026-03-08', '02:30', 'America/New_York', 'refuse'),
      /02:30 does not exist/,
    );
    assert.equal(
      zonedInstant('2027-03-28', '01:30', 'Europe/London', 'later').toISOString(),
      '2027-03-28T01:30:00.000Z',
    );
  });

  it('refuses times and dates it cannot read', () => {
    assert.throws(
      () => zonedInstant('2026-07-01', '24:00', 'Europe/London', 'later'),
      /Time "24:00" must be HH:MM/,
    );
    assert.throws(() => addDays('1 July', 1), /Date "1 July" must be YYYY-MM-DD/);
  });

  it('reads local dates and counts days across month, year and leap-day ends', () => {
    assert.equal(localDate(Date.parse('2026-11-24T03:00:00Z'), 'America/New_York'), '2026-11-23');
    assert.equal(localDate(Date.parse('2026-07-01T23:30:00Z'), 'Europe/London'), '2026-07-02');
    assert.equal(addDays('2026-12-31', 1), '2027-01-01');
    assert.equal(addDays('2028-02-28', 1), '2028-02-29');
    assert.equal(addDays('2028-03-01', -1), '2028-02-29');
  });
});
