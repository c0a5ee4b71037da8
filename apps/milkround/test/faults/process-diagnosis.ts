import type { MilkroundSystem, Profile } from './milkround-system.ts';

const profiles: readonly Profile[] = ['storefront', 'operations'];
const levelNames: Record<number, string> = { 40: 'warn', 50: 'error', 60: 'fatal' };

/**
 * What a failed scenario's report needs to be read without running it again: whether each process is
 * still running, and its last warnings and errors, one short line each. Goes into the error message,
 * since that is the part of a CI log that is always kept.
 */
export function diagnose(system: MilkroundSystem, lines = 25): string {
  return profiles
    .map((profile) => {
      const warnings = warningsIn(logOf(system, profile)).slice(-lines);
      return [
        `${profile}: ${system.status(profile)}; its last ${warnings.length} warnings and errors:`,
        ...warnings.map((line) => `  ${line}`),
      ].join('\n');
    })
    .join('\n');
}

/** A process killed by a scenario and not yet started again has no log to read. */
function logOf(system: MilkroundSystem, profile: Profile): string {
  try {
    return system.log(profile);
  } catch {
    return '';
  }
}

/** The warn, error and fatal lines of a pino log, as "time level message (error)". */
export function warningsIn(log: string): string[] {
  const found: string[] = [];
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: { level?: number; time?: number; msg?: string; err?: { message?: string } };
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    const level = levelNames[entry.level ?? 0];
    if (!level) continue;
    const time = entry.time ? new Date(entry.time).toISOString().slice(11, 23) : '';
    const cause = entry.err?.message ? ` (${entry.err.message.slice(0, 200)})` : '';
    found.push(`${time} ${level} ${(entry.msg ?? '').slice(0, 200)}${cause}`);
  }
  return found;
}
