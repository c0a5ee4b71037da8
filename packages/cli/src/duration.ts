import { CliError, exitCodes } from './exit-codes.ts';

const unitMs: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * A duration as people type it on the command line: `30s`, `5m`, `1h`, `1500ms`, or a bare number of
 * seconds. Anything else is a usage error naming the option, so a typo never becomes a zero timeout.
 */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const amount = Number(match?.[1]);
  if (!match || !Number.isFinite(amount) || amount <= 0) {
    throw new CliError(`${option} must be a duration such as 30s, 5m or 1h, got "${text}"`, exitCodes.usage);
  }
  return Math.round(amount * (unitMs[match[2] ?? 's'] as number));
}

/** Milliseconds as the duration people would have typed: `10m`, `30s`, `1500ms`. */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}
