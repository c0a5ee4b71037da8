import { z } from 'zod';
import { type LoadConfigOptions, type LoadedConfig, loadConfig } from './load-config.ts';

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

const httpSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1').describe('Address the HTTP server listens on'),
  port: integer(0, 65535).default(3000).describe('Port the HTTP server listens on; 0 picks any free port'),
});

const databaseSchema = z.strictObject({
  url: z
    .url({ protocol: /^postgres(ql)?$/, error: POSTGRES_URL })
    .optional()
    .describe('PostgreSQL connection URL; when absent, an embedded PGlite database is used'),
  dataDir: z
    .string()
    .default('./data/pglite')
    .describe("Directory of the embedded PGlite database; '' or 'memory' keeps it in memory"),
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

const busSchema = z.strictObject({
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
  })
  .describe('Configuration of a process running Switchyard modules');

/** Validated host configuration. */
export type HostConfig = z.output<typeof hostConfigSchema>;

/** The well-known variables the host reads besides `SWITCHYARD_*` ones, and the paths they set. */
export const hostEnvAliases: Readonly<Record<string, string>> = {
  DATABASE_URL: 'database.url',
  RABBITMQ_URL: 'transport.url',
  PORT: 'http.port',
};

/** Loads host configuration from defaults, `options.file` and the environment (see `loadConfig`). */
export function loadHostConfig(options: LoadConfigOptions = {}): LoadedConfig<HostConfig> {
  return loadConfig(hostConfigSchema, { aliases: { ...hostEnvAliases }, ...options });
}
