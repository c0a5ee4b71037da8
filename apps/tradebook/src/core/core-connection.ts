import { ConfigError } from '@switchyard/host';
import { z } from 'zod';

/** How tradebook reaches the core, from TRADEBOOK_CORE_* variables; every field has a default. */
export interface CoreConnection {
  readonly host: string;
  readonly port: number;
  /** Sessions at once: keep it within the core's own limit. */
  readonly sessions: number;
  /** How long one call to the core may take before its outcome is unknown. */
  readonly timeoutMs: number;
  /**
   * How long after a send its outcome can still change: the timeout plus the core's longest booking
   * time. A posting whose answer was lost is enquired about after this (decision 0031).
   */
  readonly inDoubtMs: number;
}

const variables = {
  host: 'TRADEBOOK_CORE_HOST',
  port: 'TRADEBOOK_CORE_PORT',
  sessions: 'TRADEBOOK_CORE_SESSIONS',
  timeoutMs: 'TRADEBOOK_CORE_TIMEOUT_MS',
  inDoubtMs: 'TRADEBOOK_CORE_IN_DOUBT_MS',
} as const;

const whole = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const schema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: whole(1, 65_535).default(7011),
    sessions: whole(1, 256).default(4),
    timeoutMs: whole(100, 600_000).default(5_000),
    inDoubtMs: whole(100, 3_600_000).default(10_000),
  })
  .refine((connection) => connection.inDoubtMs > connection.timeoutMs, {
    path: ['inDoubtMs'],
    message:
      'must be longer than the timeout (TRADEBOOK_CORE_TIMEOUT_MS), by the core’s longest booking time',
  });

/** Reads the connection from `env`; a bad value is a start-up error naming the variable and the rule. */
export function coreConnectionFrom(env: Readonly<Record<string, string | undefined>>): CoreConnection {
  const input = Object.fromEntries(
    Object.entries(variables).flatMap(([field, name]) =>
      env[name] === undefined ? [] : [[field, env[name]]],
    ),
  );
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const field = String(issue.path[0] ?? '') as keyof typeof variables;
      const name = variables[field] ?? field;
      return {
        path: `core.${field}`,
        source: `env ${name}`,
        message: `${issue.message} (got "${env[name]}")`,
      };
    }),
  );
}
