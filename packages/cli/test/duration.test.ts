import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from '../src/duration.ts';
import { CliError, exitCodes } from '../src/exit-codes.ts';

describe('durations on the command line', () => {
  it('reads seconds, minutes, hours and milliseconds, and a bare number as seconds', () => {
    assert.deepEqual(
      ['30s', '5m', '1h', '1500ms', '90', '2.5m'].map((text) => parseDuration(text, '--timeout')),
      [30_000, 300_000, 3_600_000, 1_500, 90_000, 150_000],
    );
  });

  it('refuses anything else as a usage error naming the option, never a zero timeout', () => {
    for (const text of ['', 'soon', '0s', '-5m', '5 minutes', '5d']) {
      assert.throws(
        () => parseDuration(text, '--timeout'),
        (error: unknown) =>
          error instanceof CliError &&
          error.exitCode === exitCodes.usage &&
          error.message === `--timeout must be a duration such as 30s, 5m or 1h, got "${text}"`,
      );
    }
  });

  it('prints a duration as it would have been typed', () => {
    assert.deepEqual([600_000, 2_000, 7_200_000, 1_500].map(formatDuration), ['10m', '2s', '2h', '1500ms']);
  });
});
