/**
 * Names for per-test-file resources. The creation time is part of the name so that a later run
 * can remove what a killed run left behind without touching resources of runs still going.
 */
const prefix = 'yard_test_';

/** A fresh, unique resource name such as `yard_test_1763900000000_k3x9q2`. */
export function freshTestName(now: number = Date.now()): string {
  const random = Math.random().toString(36).slice(2, 8).padEnd(6, '0');
  return `${prefix}${now}_${random}`;
}

/** True for a name made by `freshTestName` more than `maxAgeMs` before `now`. */
export function isAbandonedTestName(name: string, now: number, maxAgeMs: number): boolean {
  if (!name.startsWith(prefix)) return false;
  const createdAt = Number(name.slice(prefix.length).split('_')[0]);
  return Number.isFinite(createdAt) && now - createdAt > maxAgeMs;
}

/** Resources older than this are left over from a run that was killed before cleaning up. */
export const abandonedAfterMs = 2 * 60 * 60 * 1000;
