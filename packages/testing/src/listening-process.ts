import { type ChildProcess, spawn } from 'node:child_process';

/** A host process started for a test, once it has logged the URL it listens on. */
export interface ListeningProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** What it printed on stdout up to and including that log line. */
  readonly output: string;
}

/**
 * Runs `file` with this Node (a host entry such as `main.ts` or `yard start`) and resolves once it logs
 * the `url` it listens on, as the host's "Switchyard is running" line does. The environment is only
 * PATH and `env`, so the test's own variables do not leak in; stderr is the test's.
 */
export async function startListeningProcess(
  file: string,
  options: { readonly args?: readonly string[]; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<ListeningProcess> {
  const child = spawn(process.execPath, [file, ...(options.args ?? [])], {
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  for await (const chunk of child.stdout ?? []) {
    output += String(chunk);
    const url = /"url":"(http:\/\/[^"]+)"/.exec(output)?.[1];
    if (url) {
      // The rest of its log is not read; keep the pipe from filling up and stalling the process.
      child.stdout?.resume();
      return { child, url, output };
    }
  }
  throw new Error(`${file} ended before it logged a URL to listen on:\n${output}`);
}
