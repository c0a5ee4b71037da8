import { spawn } from 'node:child_process';

/** How a run of crashing consumer processes went. */
export interface CrashLoop {
  /** Processes that took the message and died by SIGKILL before settling it. */
  readonly crashes: number;
  /** Whether the last process was still running when the message reached the error queue. */
  readonly lastSurvived: boolean;
}

/**
 * Starts consumer processes one after another, each running `fixture` with `args`: a bus whose consumer
 * kills its own process with SIGKILL (printing "consuming" first). Stops when `inErrorQueue` holds, or
 * fails after `maxProcesses`. The shape of a poison message that takes its consumer down with it.
 */
export async function runCrashLoop(
  fixture: string,
  args: readonly string[],
  inErrorQueue: () => Promise<boolean>,
  maxProcesses: number,
): Promise<CrashLoop> {
  let crashes = 0;
  for (let started = 0; started < maxProcesses; started++) {
    const child = spawn(process.execPath, [fixture, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let consumed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (chunk.includes('consuming')) consumed = true;
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    let exit: NodeJS.Signals | null | 'running' = 'running';
    void exited.then((signal) => {
      exit = signal;
    });
    for (;;) {
      if (exit !== 'running') break;
      if (await inErrorQueue()) {
        child.kill('SIGTERM');
        await exited;
        return { crashes, lastSurvived: true };
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (exit !== 'SIGKILL' || !consumed) throw new Error(`Consumer process ended with ${exit} unexpectedly`);
    crashes += 1;
  }
  throw new Error(`The message was still not in the error queue after ${maxProcesses} processes`);
}
