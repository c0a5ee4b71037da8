import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A core running as its own process (main.ts), as it runs beside a real deployment. */
export interface LegacyCoreProcess {
  readonly host: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** SIGTERM, and waits for it to exit. */
  stop(): Promise<void>;
  /** SIGKILL (kill -9), and waits for it to exit: what the journal must survive. */
  kill(): Promise<void>;
}

const main = join(import.meta.dirname, '..', 'main.ts');

/**
 * Starts the core as a child process with main.ts's flags (`{ port: 0, journal: path,
 * 'fault-lost-reply': 0.02 }`), and resolves once it listens. Its own process, so that neither its
 * fsyncs nor its timers share an event loop with the system under test, and so that it can be killed.
 */
export async function spawnLegacyCore(
  flags: Readonly<Record<string, string | number>>,
  options: { readonly stderr?: 'inherit' | 'ignore' } = {},
): Promise<LegacyCoreProcess> {
  const args = Object.entries(flags).flatMap(([flag, value]) => [`--${flag}`, String(value)]);
  const child = spawn(process.execPath, [main, ...args], {
    stdio: ['ignore', 'pipe', options.stderr ?? 'inherit'],
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  });
  const exited = once(child, 'exit');
  const ended = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited;
  };
  for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
    let event: { event?: string; host?: string; port?: number };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      continue;
    }
    if (event.event === 'listening' && event.port) {
      // Keep draining stdout so a chatty core never blocks on a full pipe.
      child.stdout?.resume();
      return {
        host: event.host ?? '127.0.0.1',
        port: event.port,
        child,
        stop: () => ended('SIGTERM'),
        kill: () => ended('SIGKILL'),
      };
    }
  }
  const [code] = (await exited) as [number | null];
  throw new Error(`the legacy core exited (code ${code}) before it listened; flags: ${args.join(' ')}`);
}
