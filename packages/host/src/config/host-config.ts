import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { isInMemoryDataDir, projectRoot, resolveDataDir } from './data-directory.ts';
import { type LoadConfigOptions, type LoadedConfig, loadConfig } from './load-config.ts';
import { minOperationsTokenLength, operationsAccessProblem } from './operations-access.ts';

const POSTGRES_URL = 'expected a postgres:// or postgresql:// URL';
const AMQP_URL = 'expected an amqp:// or amqps:// URL';
const RABBITMQ_NEEDS_URL =
  'is required when transport.kind is "rabbitmq": give an amqp:// URL (RABBITMQ_URL or SWITCHYARD_TRANSPORT__URL), or set transport.kind to "postgres"';

/** An integer whose every failure (wrong type, fraction, out of range) is reported as the whole rule. */
function integer(min: number, max?: number) {
  const rule =
    max === undefined
      ? `expected an integer of at least ${min}`
      : `expected an integer from ${min} to ${max}`;
  const atLeastMin = z.int({ error: rule }).min(min, { error: rule });
  return max === undefined ? atLeastMin : atLeastMin.max(max, { error: rule });
}

const OPERATIONS_TOKEN = `expected a token of at least ${minOperationsTokenLength} characters`;

const httpSchema = z
  .strictObject({
    host: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe(
        'Address the HTTP server listens on; beyond loopback, http.operationsToken or http.operationsOpen must be set',
      ),
    port: integer(0, 65535).default(3000).describe('Port the HTTP server listens on; 0 picks any free port'),
    operationsToken: z
      .string({ error: OPERATIONS_TOKEN })
      .min(minOperationsTokenLength, { error: OPERATIONS_TOKEN })
      .optional()
      .describe(
        'Bearer token that /metrics, /docs, /openapi.json and the details of /health/ready require (Authorization: Bearer <token>); also SWITCHYARD_OPERATIONS_TOKEN. Required when http.host is beyond loopback, unless http.operationsOpen is true',
      ),
    operationsOpen: z
      .boolean()
      .default(false)
      .describe(
        'Serve /metrics, /docs, /openapi.json and the details of /health/ready to anyone, on purpose, even beyond loopback (behind a proxy that guards them, say)',
      ),
    headersTimeoutMs: integer(100, 600_000)
      .default(10_000)
      .describe(
        'Milliseconds a client has to send its request headers; a slower one gets 408 and is disconnected (at most http.requestTimeoutMs)',
      ),
    requestTimeoutMs: integer(100, 3_600_000)
      .default(30_000)
      .describe('Milliseconds a client has to send its whole request, body included; a slower one gets 408'),
    keepAliveTimeoutMs: integer(0, 600_000)
      .default(5_000)
      .describe('Milliseconds an idle keep-alive connection is held open for its next request'),
    maxConnections: integer(1, 1_000_000)
      .default(1_024)
      .describe('Most connections served at once; beyond it new connections are closed at once'),
    bodyLimitBytes: integer(1_024, 1_073_741_824)
      .default(1_048_576)
      .describe('Largest request body accepted, in bytes; a larger one gets 413'),
  })
  .refine((http) => http.headersTimeoutMs <= http.requestTimeoutMs, {
    path: ['headersTimeoutMs'],
    error: 'must not be longer than http.requestTimeoutMs',
    when: ({ value }) => typeof value === 'object' && value !== null,
  })
  // Refused at load, so that a host reachable from the network never starts with these endpoints open by default.
  .superRefine((http, context) => {
    const problem = operationsAccessProblem(http);
    if (problem !== undefined)
      context.addIssue({ code: 'custom', path: ['operationsToken'], message: problem });
  });

const databaseSchema = z.strictObject({
  url: z
    .url({ protocol: /^postgres(ql)?$/, error: POSTGRES_URL })
    .optional()
    .describe('PostgreSQL connection URL; when absent, an embedded PGlite database is used'),
  dataDir: z
    .string()
    .default('./data/pglite')
    .describe(
      "Directory of the embedded PGlite database; '' or 'memory' keeps it in memory. A relative path is read from the config file's folder when the file sets it, else from the project root (the folder of the nearest package.json naming the app)",
    ),
  maxConnections: integer(1).default(10).describe('Most connections the PostgreSQL pool opens'),
});

const transportKind = z.enum(['postgres', 'rabbitmq']);

const transportSchema = z
  .strictObject({
    kind: transportKind
      .optional()
      .describe("Message transport; 'rabbitmq' when transport.url is set, else 'postgres'"),
    url: z
      .url({ protocol: /^amqps?$/, error: AMQP_URL })
      .optional()
      .describe('RabbitMQ connection URL; setting it selects the rabbitmq transport'),
    confirmTimeoutMs: integer(1, 2_147_483_647)
      .default(15_000)
      .describe(
        'RabbitMQ: milliseconds a publish waits for the broker to confirm it before it fails (and is sent again by the outbox)',
      ),
    unavailableTimeoutMs: integer(1, 2_147_483_647)
      .default(30_000)
      .describe(
        'RabbitMQ: milliseconds a publish waits while the broker is unreachable or blocks publishers (a memory or disk alarm) before it fails',
      ),
  })
  // Runs even when another transport setting is wrong, so that every problem is reported at once.
  .refine((transport) => transport.kind !== 'rabbitmq' || transport.url !== undefined, {
    path: ['url'],
    error: RABBITMQ_NEEDS_URL,
    when: ({ value }) => typeof value === 'object' && value !== null,
  })
  .transform((transport) => {
    const kind: z.output<typeof transportKind> = transport.kind ?? (transport.url ? 'rabbitmq' : 'postgres');
    return { ...transport, kind };
  });

const logSchema = z.strictObject({
  level: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('Least severe log level written'),
  format: z
    .enum(['auto', 'json', 'pretty'])
    .default('auto')
    .describe(
      "How log lines are written to stdout: 'json' (one JSON object a line, for log collectors), 'pretty' (short readable lines, one a request), or 'auto': pretty on a terminal, JSON otherwise",
    ),
});

/** Milliseconds, as a JSON array in a file or comma-separated in an environment variable ("100,500"). */
function millisecondsList(rule: string) {
  return z.preprocess(
    (value) =>
      typeof value === 'string'
        ? value
            .split(',')
            .filter((part) => part.trim() !== '')
            .map((part) => (/^\s*\d+\s*$/.test(part) ? Number(part) : part))
        : value,
    z.array(integer(1, 2_147_483_647), { error: rule }),
  );
}

const retrySchema = z.strictObject({
  immediateIntervalsMs: millisecondsList('expected a list of waits in milliseconds, such as [100, 500]')
    .default([100, 500])
    .describe(
      'Waits before each immediate retry of a failed message, in the same delivery; one retry per entry',
    ),
  redeliveryIntervalsMs: millisecondsList('expected a list of delays in milliseconds, such as [1000, 5000]')
    .default([1_000, 5_000, 15_000, 30_000, 60_000])
    .describe(
      'Delays before each redelivery once the immediate retries failed; after the last, the message goes to the error queue',
    ),
});

const busSchema = z
  .strictObject({
    inboxWindowMs: integer(60_000, 2 ** 46)
      .default(7 * 24 * 3_600_000)
      .describe(
        'Milliseconds the inbox remembers a handled message: a duplicate arriving within this window of the first is always dropped. Keep it longer than any message can take to come back',
      ),
    handlerTimeoutMs: integer(1, 2_147_483_647)
      .default(30_000)
      .describe(
        'Milliseconds one attempt of a consumer may run before it is aborted and retried, on endpoints that set no timeoutMs of their own',
      ),
    retry: retrySchema
      .prefault({})
      .describe(
        'How endpoints that set no retry policy of their own recover: immediate retries, then delayed redeliveries (they ride out a database or broker outage of about two minutes)',
      ),
  })
  // A duplicate can come back at the end of the redelivery schedule: the inbox must still remember it then.
  .refine((bus) => bus.inboxWindowMs > bus.retry.redeliveryIntervalsMs.reduce((sum, each) => sum + each, 0), {
    path: ['inboxWindowMs'],
    error:
      'must be longer than the whole redelivery schedule (the sum of bus.retry.redeliveryIntervalsMs), or a message redelivered at its end could run twice',
    when: ({ value }) => typeof value === 'object' && value !== null,
  });

const shutdownSchema = z.strictObject({
  deadlineMs: integer(0)
    .default(10_000)
    .describe('Milliseconds that in-flight work gets to finish on shutdown before the process exits'),
});

const seedSchema = z.strictObject({
  demoData: z.boolean().default(true).describe('Whether modules load their demo data at start'),
});

// Sections use prefault, not default: zod returns a default as it is, while a prefault is parsed, which
// fills in the section's own defaults and infers the transport kind.
/** The configuration of a process running Switchyard modules; every field has a default. */
const SLOT_NAME =
  'expected a slot name: a lower-case letter, then up to 30 lower-case letters, digits or "-"';

const slotsSchema = z.strictObject({
  desiredState: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Where the desired state of the slots is: a YAML file (relative to the config file, else the project root) or "postgres" for the tables in the database',
    ),
  reconcile: z
    .boolean()
    .default(false)
    .describe(
      "Run the slots' reconciler in this process: converge RabbitMQ's routing to the desired state, repair drift, move what stopped slots left. Any number of processes may",
    ),
  intervalMs: integer(100, 600_000).default(2_000).describe("Milliseconds between the reconciler's passes"),
  stoppedAfterMs: integer(1_000, 3_600_000)
    .default(15_000)
    .describe(
      'Milliseconds a slot may have no consumers before it counts as stopped: its affinity messages then go to the live slot, and what it left queued is moved there',
    ),
});

export const hostConfigSchema = z
  .strictObject({
    http: httpSchema.prefault({}).describe('HTTP server'),
    database: databaseSchema.prefault({}).describe('Database holding module state, outbox, inbox and sagas'),
    transport: transportSchema.prefault({}).describe('Message transport between endpoints'),
    profile: z
      .string()
      .min(1)
      .default('all')
      .describe('Deployment profile: which set of modules this process runs'),
    log: logSchema.prefault({}).describe('Logging'),
    bus: busSchema.prefault({}).describe('Message handling'),
    shutdown: shutdownSchema.prefault({}).describe('Graceful shutdown'),
    seed: seedSchema.prefault({}).describe('Sample data'),
    slot: z
      .string({ error: SLOT_NAME })
      .regex(/^[a-z][a-z0-9-]{0,30}$/, { error: SLOT_NAME })
      .optional()
      .describe(
        "The blue/green slot this process runs in (SWITCHYARD_SLOT): its endpoints consume from <endpoint>@<slot>, fed by the slots' routing; unset, it runs in none",
      ),
    slots: slotsSchema
      .prefault({})
      .describe('Blue/green slots: the desired state, and whether this process reconciles to it'),
  })
  .superRefine((config, context) => {
    if (!config.slots.reconcile) return;
    if (config.slots.desiredState === undefined)
      context.addIssue({
        code: 'custom',
        path: ['slots', 'desiredState'],
        message: 'is required when slots.reconcile is true',
      });
    if (config.transport.kind !== 'rabbitmq')
      context.addIssue({
        code: 'custom',
        path: ['slots', 'reconcile'],
        message: 'needs transport.kind "rabbitmq": slots route on RabbitMQ',
      });
  })
  .describe('Configuration of a process running Switchyard modules');

/** Validated host configuration. */
export type HostConfig = z.output<typeof hostConfigSchema>;

/** The well-known variables the host reads besides `SWITCHYARD_*` ones, and the paths they set. */
export const hostEnvAliases: Readonly<Record<string, string>> = {
  DATABASE_URL: 'database.url',
  RABBITMQ_URL: 'transport.url',
  PORT: 'http.port',
  SWITCHYARD_OPERATIONS_TOKEN: 'http.operationsToken',
};

/** Where host configuration comes from, and the folder the process works in. */
export interface LoadHostConfigOptions extends LoadConfigOptions {
  /** The working folder relative paths start from (default `process.cwd()`). */
  cwd?: string;
}

/**
 * Loads host configuration from defaults, `options.file` and the environment (see `loadConfig`). A
 * relative `database.dataDir` comes back absolute: read from the config file's folder when the file
 * set it, else from the project root, so that the database is the same from every subfolder.
 */
export function loadHostConfig(options: LoadHostConfigOptions = {}): LoadedConfig<HostConfig> {
  const { cwd = process.cwd(), ...rest } = options;
  const loaded = loadConfig(hostConfigSchema, { aliases: { ...hostEnvAliases }, ...rest });
  const baseOf = (path: string) => {
    const fromFile = rest.file !== undefined && loaded.sourceOf(path).startsWith('file ');
    return fromFile ? dirname(resolve(cwd, rest.file as string)) : projectRoot(cwd);
  };
  const { desiredState } = loaded.config.slots;
  const slots =
    desiredState === undefined || desiredState === 'postgres'
      ? loaded.config.slots
      : { ...loaded.config.slots, desiredState: resolve(baseOf('slots.desiredState'), desiredState) };
  const { dataDir } = loaded.config.database;
  if (isInMemoryDataDir(dataDir)) return { config: { ...loaded.config, slots }, sourceOf: loaded.sourceOf };
  return {
    config: {
      ...loaded.config,
      slots,
      database: { ...loaded.config.database, dataDir: resolveDataDir(dataDir, baseOf('database.dataDir')) },
    },
    sourceOf: loaded.sourceOf,
  };
}
