import type { ModuleDefinition } from '@switchyard/host';
import { createHost, type Host, hostConfigSchema } from '@switchyard/host';
import pino from 'pino';

/** A clock the tests move; it starts at `start` (ms since the epoch). */
export interface TestClock {
  now(): number;
  set(time: Date | string): void;
  advance(ms: number): void;
}

export function testClock(start: Date | string = '2026-11-23T10:00:00Z'): TestClock {
  let time = new Date(start).getTime();
  return {
    now: () => time,
    set: (next) => {
      time = new Date(next).getTime();
    },
    advance: (ms) => {
      time += ms;
    },
  };
}

/** A running milkround host for tests: embedded in-memory PGlite unless `config` says otherwise. */
export interface RunningMilkround {
  readonly host: Host;
  readonly url: string;
  readonly clock: TestClock;
  /** Sends JSON and reads JSON (or problem+json) back. */
  request(method: string, path: string, body?: unknown): Promise<JsonAnswer>;
  stop(): Promise<void>;
}

export async function startMilkround(options: {
  modules: readonly ModuleDefinition[];
  clock?: TestClock;
  /** Extra host configuration, e.g. `{ database: { url }, transport: { url } }`. */
  config?: Record<string, unknown>;
  seed?: boolean;
}): Promise<RunningMilkround> {
  const clock = options.clock ?? testClock();
  const config = hostConfigSchema.parse({
    http: { port: 0 },
    database: { dataDir: 'memory' },
    seed: { demoData: options.seed ?? false },
    ...options.config,
  });
  const host = createHost({
    config,
    modules: options.modules,
    logger: pino({ level: process.env.MILKROUND_TEST_LOG ?? 'silent' }),
    now: clock.now,
  });
  const url = await host.start();
  return {
    host,
    url,
    clock,
    request: jsonRequester(url),
    stop: () => host.stop(),
  };
}

/** Sends JSON to `baseUrl` and reads JSON (or problem+json) back: how the tests speak to a host. */
/** An answer as the tests read it: status, JSON body (undefined when empty) and headers. */
export interface JsonAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Headers;
}

export function jsonRequester(
  baseUrl: string,
): (method: string, path: string, body?: unknown) => Promise<JsonAnswer> {
  return async (method, path, body) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  };
}

/** Polls `probe` until it returns a value other than undefined (for effects that travel by message). */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Nothing turned up within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
