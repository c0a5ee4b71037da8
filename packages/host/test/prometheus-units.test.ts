import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prometheusUnitOf } from '../src/server/prometheus-units.ts';

describe('the unit at the end of a Prometheus metric name', () => {
  it('is the word for the OpenTelemetry unit, or nothing for an annotation or an unknown unit', () => {
    const cases: [string, string | undefined][] = [
      ['s', 'seconds'],
      ['ms', 'milliseconds'],
      ['By', 'bytes'],
      ['1/s', 'per_second'],
      ['{message}/s', 'per_second'],
      ['By/s', 'bytes_per_second'],
      ['{message}', undefined],
      ['1', undefined],
      ['', undefined],
      ['furlong', undefined],
      ['By/fortnight', undefined],
    ];
    for (const [unit, expected] of cases) assert.equal(prometheusUnitOf(unit), expected, unit);
  });
});
