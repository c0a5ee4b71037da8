import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultNightlyRunTimes, nextNightlyRun } from '../../src/modules/deliveries/nightly-runs.ts';

const { UK, US } = defaultNightlyRunTimes;

describe('nightly run times', () => {
  it('runs at 22:30 local for the next local day, in each region on its own clock', () => {
    assert.ok(UK && US);
    const morning = Date.parse('2026-11-23T10:00:00Z');
    assert.deepEqual(nextNightlyRun(UK, morning), {
      dueAt: new Date('2026-11-23T22:30:00Z'),
      deliveryDate: '2026-11-24',
    });
    assert.deepEqual(nextNightlyRun(US, morning), {
      dueAt: new Date('2026-11-24T03:30:00Z'),
      deliveryDate: '2026-11-24',
    });
  });

  it('books tomorrow night once tonight has started, and follows British Summer Time', () => {
    assert.ok(UK);
    assert.deepEqual(nextNightlyRun(UK, Date.parse('2026-11-23T22:30:00Z')), {
      dueAt: new Date('2026-11-24T22:30:00Z'),
      deliveryDate: '2026-11-25',
    });
    // The clocks go forward on 28 March 2027: that night's run is at 21:30 UTC.
    assert.deepEqual(nextNightlyRun(UK, Date.parse('2027-03-28T12:00:00Z')), {
      dueAt: new Date('2027-03-28T21:30:00Z'),
      deliveryDate: '2027-03-29',
    });
  });
});

describe('the module settings', () => {
  it('refuses a round size, a nightly time or a time zone that cannot work, naming it', async () => {
    const { deliveriesModule } = await import('../../src/modules/deliveries/module.ts');
    assert.throws(
      () => deliveriesModule({ maxStopsPerRound: 0 }),
      /maxStopsPerRound must be an integer ≥ 1.*got 0/,
    );
    assert.throws(
      () => deliveriesModule({ nightlyRuns: { UK: { at: '9pm', timeZone: 'Europe/London' } } }),
      /nightlyRuns\.UK .*"9pm".*HH:MM/,
    );
    assert.throws(
      () => deliveriesModule({ nightlyRuns: { US: { at: '21:00', timeZone: 'Mars/Olympus' } } }),
      /nightlyRuns\.US .*Mars\/Olympus/,
    );
    assert.equal(deliveriesModule({ nightlyRuns: {} }).name, 'deliveries');
  });
});
