/**
 * What a set of figures was measured with: package versions as installed (from their package.json,
 * not from the ranges asked for), and the machine. Figures from two runs only compare when these
 * match.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { findPackageJSON } from 'node:module';
import os from 'node:os';

/**
 * The installed version of `name` as resolved from `from` (a file URL; bench/ by default, where the
 * peers are installed), or a reason it is not there.
 */
export function installedVersion(name: string, from: string | URL = import.meta.url): string {
  const file = packageJsonOf(name, from);
  if (!file) return 'not installed';
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'not installed';
  }
}

/** The package.json of `name` as resolved from `from`, for resolving its own dependencies from. */
export function packageJsonOf(name: string, from: string | URL = import.meta.url): string | undefined {
  try {
    return findPackageJSON(name, from);
  } catch {
    return undefined;
  }
}

/** The commit checked out, with a note when the working tree has changes on top of it. */
export function switchyardCommit(): string {
  try {
    const run = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
    const commit = run('rev-parse', '--short', 'HEAD');
    return run('status', '--porcelain').length > 0 ? `${commit} with uncommitted changes` : commit;
  } catch {
    return 'unknown commit';
  }
}

/** The CPU model and count, memory and kernel: the machine's side of the figures. */
export function machine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  const memory = (os.totalmem() / 1024 ** 3).toFixed(1);
  const load = os
    .loadavg()
    .map((each) => each.toFixed(2))
    .join(' ');
  return `${cpus.length} × ${model}, ${memory} GiB, ${os.type()} ${os.release()}, load average ${load}`;
}
