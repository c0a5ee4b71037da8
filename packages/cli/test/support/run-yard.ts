import { PassThrough } from 'node:stream';
import { runCli } from '../../src/index.ts';

/** What one run of `yard` did: its exit code and what it wrote on each stream. */
export interface YardRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `yard` in this process with exactly `env` in folder `cwd`; resolves with the exit code and what it wrote. */
export async function runYard(
  args: readonly string[],
  io: { env: NodeJS.ProcessEnv; cwd: string; signal?: AbortSignal },
): Promise<YardRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => {
    out += String(chunk);
  });
  stderr.on('data', (chunk) => {
    err += String(chunk);
  });
  const code = await runCli(args, {
    stdout,
    stderr,
    env: io.env,
    cwd: io.cwd,
    ...(io.signal ? { signal: io.signal } : {}),
  });
  return { code, out, err };
}
