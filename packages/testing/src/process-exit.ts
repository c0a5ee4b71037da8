import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** How a script run to its end went. */
export interface ProcessExit {
  /** Everything it printed on stdout. */
  readonly output: string;
  readonly code: number | null;
  /** `SIGKILL` when it was still running at the limit. */
  readonly signal: NodeJS.Signals | null;
  /** From its first line of output to its exit: how long something it left behind held it. */
  readonly exitedAfterOutputMs: number;
}

/**
 * Runs `file` with this Node and waits for it to exit by itself, killing it at `killAfterMs`. For tests
 * that a component closed in a script leaves nothing running: the script prints once it has closed
 * everything, and a timer or a socket left behind shows as a late exit, or as the kill.
 */
export async function runUntilExit(
  file: string,
  args: readonly string[],
  options: { readonly killAfterMs: number },
): Promise<ProcessExit> {
  const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  let firstOutputAt = 0;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    firstOutputAt ||= Date.now();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(killer);
  return {
    output,
    code,
    signal,
    exitedAfterOutputMs: firstOutputAt ? Date.now() - firstOutputAt : Number.NaN,
  };
}
