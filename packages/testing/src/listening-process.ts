import { type ChildProcess, spawn } from 'node:child_process';

/** A host process started for a test, once it has logged the URL it listens on. */
export interface ListeningProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** What it printed on stdout up to and including that log line. */
  readonly output: string;
  /** Everything it has printed on stdout so far: for tests that look for a log line later on. */
  log(): string;
}

/** What is kept of a long-running process's log; older text is dropped. */
const logLimitChars = 4_000_000;

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
  const stdout = child.stdout;
  if (!stdout) throw new Error(`${file} started without a stdout pipe`);
  stdout.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    // Reading goes on after the URL, so that the pipe never fills up and stalls the process.
    let found: string | undefined;
    stdout.on('data', (chunk: string) => {
      output = (output + chunk).slice(-logLimitChars);
      // Looked for until found: a long-running process's log is megabytes by the end.
      found ??= /"url":"(http:\/\/[^"]+)"/.exec(output)?.[1];
      if (found) resolve(found);
    });
    stdout.on('end', () =>
      reject(new Error(`${file} ended before it logged a URL to listen on:\n${output}`)),
    );
  });
  return { child, url, output, log: () => output };
}
