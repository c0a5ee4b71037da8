import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ListeningProcess,
  startListeningProcess,
  startTcpProxy,
  type TcpProxy,
} from '@switchyard/testing';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'main.ts');

/** The two deployments of the reference system: the storefront takes customers, operations runs the vans. */
export type Profile = 'storefront' | 'operations';

/** Settings every process of the system under fault gets; the timings are the product's recovery budget. */
export const faultSettings = {
  /** A handler still running after this long is aborted and its message retried. */
  handlerTimeoutMs: 2_000,
} as const;

/**
 * milkround split into its two profiles, each in its own process, sharing a PostgreSQL database and a
 * RabbitMQ vhost. Operations reaches the broker through a TCP proxy the test can cut. Ports are fixed
 * for the life of the system, so a process killed and started again serves at the same address.
 */
export interface MilkroundSystem {
  url(profile: Profile): string;
  /** Everything the process has logged since it last started. */
  log(profile: Profile): string;
  /** The proxy between operations and RabbitMQ. */
  readonly brokerLink: TcpProxy;
  /** SIGKILL: no drain, no goodbye; unacknowledged messages go back to the queue. */
  kill(profile: Profile): Promise<void>;
  start(profile: Profile): Promise<void>;
  /** "running", or how the process ended: a fault must never end one by itself. */
  status(profile: Profile): string;
  /**
   * SIGTERM to both, awaiting their exit codes; one still running after `graceMs` is killed (its code
   * is then null), so that a process stuck in shutdown fails the test instead of hanging it.
   */
  stop(graceMs?: number): Promise<Record<Profile, number | null>>;
}

export async function startMilkroundSystem(options: {
  databaseUrl: string;
  vhostUrl: string;
}): Promise<MilkroundSystem> {
  const vhost = new URL(options.vhostUrl);
  const brokerLink = await startTcpProxy({ host: vhost.hostname, port: Number(vhost.port || 5672) });
  const throughProxy = new URL(options.vhostUrl);
  throughProxy.port = String(brokerLink.port);
  const ports: Record<Profile, number> = { storefront: await freePort(), operations: await freePort() };
  const running = new Map<Profile, ListeningProcess>();

  const start = async (profile: Profile) => {
    const started = await startListeningProcess(main, {
      env: {
        DATABASE_URL: options.databaseUrl,
        RABBITMQ_URL: profile === 'operations' ? throughProxy.toString() : options.vhostUrl,
        SWITCHYARD_PROFILE: profile,
        SWITCHYARD_HTTP__PORT: String(ports[profile]),
        SWITCHYARD_SEED__DEMO_DATA: 'false',
        SWITCHYARD_LOG__LEVEL: 'info',
        SWITCHYARD_BUS__HANDLER_TIMEOUT_MS: String(faultSettings.handlerTimeoutMs),
      },
    });
    running.set(profile, started);
  };
  const processOf = (profile: Profile): ListeningProcess => {
    const found = running.get(profile);
    if (!found) throw new Error(`The ${profile} process is not running`);
    return found;
  };
  const exitOf = async (child: ChildProcess): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    return (await once(child, 'exit'))[0] as number | null;
  };

  // One after the other: both migrate the shared switchyard schema at start.
  await start('storefront');
  await start('operations');
  return {
    url: (profile) => `http://127.0.0.1:${ports[profile]}`,
    log: (profile) => processOf(profile).log(),
    brokerLink,
    async kill(profile) {
      const { child } = processOf(profile);
      running.delete(profile);
      child.kill('SIGKILL');
      await exitOf(child);
    },
    start,
    status(profile) {
      const child = running.get(profile)?.child;
      if (!child) return 'not started';
      if (child.exitCode !== null) return `exited with code ${child.exitCode}`;
      if (child.signalCode !== null) return `ended by ${child.signalCode}`;
      return 'running';
    },
    async stop(graceMs = 30_000) {
      const codes: Partial<Record<Profile, number | null>> = {};
      await Promise.all(
        [...running].map(async ([profile, { child }]) => {
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          codes[profile] = await exitOf(child);
          clearTimeout(killer);
        }),
      );
      // The ended processes stay known, so that their logs and exit codes can still be read.
      await brokerLink.close();
      return { storefront: codes.storefront ?? null, operations: codes.operations ?? null };
    },
  };
}

/** A port nothing listens on now, for a process that must come back at the same address. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('No free TCP port');
  return address.port;
}
