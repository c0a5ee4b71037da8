import {
  type Bus,
  type BusService,
  createBus,
  OutboxDispatcher,
  redactUrl,
  type TransactionalOptions,
  type Transport,
} from '@switchyard/bus';
import {
  connectPostgres,
  migrate,
  openPglite,
  PostgresInbox,
  PostgresOutbox,
  PostgresSagaStore,
  PostgresScheduler,
  PostgresTransport,
  RetentionCleaner,
  type SqlClient,
  type SqlTransaction,
  switchyardMigrations,
} from '@switchyard/postgres';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { HostConfig } from '../config/host-config.ts';
import {
  type DeploymentProfiles,
  type ModuleDefinition,
  type ModuleServices,
  modulesOfProfile,
} from '../modules/module.ts';
import { createHttpServer } from '../server/http-server.ts';
import { type PrometheusMetrics, startPrometheusMetrics } from '../server/metrics.ts';

/** What a host runs: validated configuration, the modules, and the profiles that pick among them. */
export interface HostOptions {
  readonly config: HostConfig;
  readonly modules: readonly ModuleDefinition[];
  readonly profiles?: DeploymentProfiles;
  /** The OpenAPI document's title and version. */
  readonly title?: string;
  readonly version?: string;
  /** Default: pino to stdout at the configured level. */
  readonly logger?: Logger;
  /** The clock modules read (default `Date.now`). */
  readonly now?: () => number;
}

/** A running (or runnable) Switchyard process. */
export interface Host {
  /** Opens the database, migrates, starts the bus and the HTTP server; resolves with the server's URL. */
  start(): Promise<string>;
  /** Stops taking requests and messages, finishes what is in flight within the deadline, closes everything. */
  stop(): Promise<void>;
  /** Present while running. */
  readonly bus: Bus | undefined;
  readonly sql: SqlClient | undefined;
  readonly url: string | undefined;
}

/** Creates a host; nothing opens until `start()`. */
export function createHost(options: HostOptions): Host {
  const { config } = options;
  const logger = options.logger ?? pino({ level: config.log.level });
  const now = options.now ?? Date.now;
  const modules = modulesOfProfile(options.modules, options.profiles ?? {}, config.profile);
  let running: Running | undefined;

  return {
    async start() {
      if (running) throw new Error('The host is already running');
      running = await startRunning(options, modules, logger, now);
      return running.url;
    },
    async stop() {
      const current = running;
      running = undefined;
      await current?.stop(config.shutdown.deadlineMs);
    },
    get bus() {
      return running?.bus;
    },
    get sql() {
      return running?.sql;
    },
    get url() {
      return running?.url;
    },
  };
}

interface Running {
  readonly bus: Bus;
  readonly sql: SqlClient;
  readonly url: string;
  stop(deadlineMs: number): Promise<void>;
}

async function startRunning(
  options: HostOptions,
  modules: readonly ModuleDefinition[],
  logger: Logger,
  now: () => number,
): Promise<Running> {
  const { config } = options;
  const sql = await openDatabase(config, logger);
  const closers: (() => Promise<void>)[] = [() => sql.close()];
  const closeAll = async () => {
    for (const close of closers.reverse())
      await close().catch((error) => logger.warn({ err: error }, 'Close failed'));
  };
  try {
    await migrate(sql, await switchyardMigrations());
    for (const each of modules) {
      const report = await migrate(sql, {
        owner: each.name,
        schema: each.name,
        migrations: each.migrations ?? [],
      });
      if (report.applied.length > 0) logger.info({ module: each.name, applied: report.applied }, 'Migrated');
    }
    const { transport, transactional, services } = wireTransport(config, sql, logger);
    const inbox = new PostgresInbox(sql);
    const scheduler = new PostgresScheduler(sql);
    const sagaStore = new PostgresSagaStore(sql);
    let bus: Bus | undefined;
    const servicesOf = (module: ModuleDefinition): ModuleServices => ({
      sql,
      schema: module.name,
      logger: logger.child({ module: module.name }),
      transactional: { ...transactional, inbox },
      inbox,
      sagaStore,
      scheduler,
      now,
      get bus(): Bus {
        if (!bus)
          throw new Error(`Module "${module.name}" used the bus while the host was still building it`);
        return bus;
      },
    });
    const endpoints = modules.flatMap((each) => each.endpoints?.(servicesOf(each)) ?? []);
    bus = createBus({
      transport,
      endpoints,
      scheduler,
      logger,
      services: [...services, new RetentionCleaner({ inbox, ...retentionOutbox(transactional) })],
    });
    const metrics: PrometheusMetrics = startPrometheusMetrics(options.title ?? 'switchyard');
    closers.push(() => metrics.shutdown());
    const started = bus;
    const http: FastifyInstance = await createHttpServer({
      logger,
      title: options.title ?? 'Switchyard',
      version: options.version ?? '0.1.0',
      metrics,
      routes: modules.flatMap((each) => each.routes?.(servicesOf(each)) ?? []),
      readiness: [
        { name: 'database', check: async () => void (await sql.query('select 1')) },
        {
          name: 'transport',
          check: async () => {
            const health = started.health();
            if (health.state !== 'running') throw new Error(`bus is ${health.state}`);
            if (health.transport.state !== 'connected')
              throw new Error(`${transport.name} is ${health.transport.state}`);
          },
        },
      ],
    });
    await bus.start();
    closers.push(() => started.stop({ deadlineMs: options.config.shutdown.deadlineMs }));
    if (config.seed.demoData) {
      for (const each of modules) await each.seed?.(servicesOf(each));
    }
    await http.listen({ host: config.http.host, port: config.http.port });
    closers.push(() => http.close());
    const address = http.server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    const url = `http://${config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host}:${port}`;
    logger.info(
      { url, docs: `${url}/docs`, ready: `${url}/health/ready`, modules: modules.map((each) => each.name) },
      'Switchyard is running',
    );
    return {
      bus,
      sql,
      url,
      async stop(deadlineMs) {
        logger.info({ deadlineMs }, 'Stopping');
        // closers run in reverse: HTTP first (no new work), then the bus drains, then metrics and the database.
        await closeAll();
        logger.info('Stopped');
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

async function openDatabase(config: HostConfig, logger: Logger): Promise<SqlClient> {
  const { url, dataDir, maxConnections } = config.database;
  if (url) {
    logger.info({ database: redactUrl(url) }, 'Using PostgreSQL');
    return connectPostgres({ url, maxConnections, applicationName: 'switchyard' });
  }
  const inMemory = dataDir === '' || dataDir === 'memory';
  logger.info({ dataDir: inMemory ? 'memory' : dataDir }, 'Using embedded PGlite');
  return openPglite(inMemory ? {} : { dataDir });
}

/** The transport, how consumers' messages leave with their state, and the services that needs. */
function wireTransport(
  config: HostConfig,
  sql: SqlClient,
  logger: Logger,
): { transport: Transport; transactional: TransactionalOptions<SqlTransaction>; services: BusService[] } {
  if (config.transport.kind === 'rabbitmq') {
    const url = config.transport.url as string;
    logger.info({ transport: redactUrl(url) }, 'Using RabbitMQ');
    const transport = new RabbitMqTransport({ url, logger, connectionName: 'switchyard host' });
    const outbox = new PostgresOutbox(sql);
    const dispatcher = new OutboxDispatcher({ outbox, transport, logger });
    return { transport, transactional: { transactions: sql, outbox, dispatcher }, services: [dispatcher] };
  }
  // The transport shares the database: messages enter its queues in the consumer's own transaction.
  const transport = new PostgresTransport(sql, { logger });
  return { transport, transactional: { transactions: sql, sends: transport }, services: [] };
}

function retentionOutbox(transactional: TransactionalOptions<SqlTransaction>) {
  return transactional.outbox ? { outbox: transactional.outbox } : {};
}
