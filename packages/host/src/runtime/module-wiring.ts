import {
  type Bus,
  type BusService,
  OutboxDispatcher,
  type ReceiveEndpointDefinition,
  redactUrl,
  type TransactionalOptions,
  type Transport,
} from '@switchyard/bus';
import {
  connectPostgres,
  type MigrationReport,
  migrate,
  openPglite,
  PostgresInbox,
  PostgresOutbox,
  PostgresSagaStore,
  PostgresScheduler,
  PostgresTransport,
  type SqlClient,
  type SqlTransaction,
  switchyardMigrations,
} from '@switchyard/postgres';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import type { Logger } from 'pino';
import { isInMemoryDataDir, projectRoot, resolveDataDir } from '../config/data-directory.ts';
import type { HostConfig } from '../config/host-config.ts';
import type { ModuleDefinition, ModuleServices } from '../modules/module.ts';

/** The configured database: PostgreSQL when `database.url` is set, else embedded PGlite. */
export async function openDatabase(config: HostConfig, logger: Logger): Promise<SqlClient> {
  const { url, dataDir, maxConnections } = config.database;
  if (url) {
    logger.info({ database: redactUrl(url) }, 'Using PostgreSQL');
    return connectPostgres({ url, maxConnections, applicationName: 'switchyard' });
  }
  if (isInMemoryDataDir(dataDir)) {
    logger.info({ dataDir: 'memory' }, 'Using embedded PGlite in memory: nothing is kept');
    return openPglite();
  }
  // loadHostConfig made it absolute already; a config built in code may still hold a relative one.
  const folder = resolveDataDir(dataDir, projectRoot(process.cwd()));
  logger.info({ dataDir: folder }, `Using embedded PGlite in ${folder}`);
  return openPglite({ dataDir: folder });
}

/** Switchyard's own tables, then each module's schema; the reports say what each run applied. */
export async function migrateModules(
  sql: SqlClient,
  modules: readonly ModuleDefinition[],
): Promise<{ owner: string; report: MigrationReport }[]> {
  const reports = [{ owner: 'switchyard', report: await migrate(sql, await switchyardMigrations()) }];
  for (const each of modules) {
    const report = await migrate(sql, {
      owner: each.name,
      schema: each.name,
      migrations: each.migrations ?? [],
    });
    reports.push({ owner: each.name, report });
  }
  return reports;
}

/** Everything the modules run on, made but not started. */
export interface ModuleWiring {
  readonly transport: Transport;
  readonly endpoints: readonly ReceiveEndpointDefinition[];
  /** Bus services the wiring needs (the outbox dispatcher with RabbitMQ). */
  readonly services: readonly BusService[];
  readonly transactional: TransactionalOptions<SqlTransaction>;
  readonly inbox: PostgresInbox;
  readonly scheduler: PostgresScheduler;
  readonly sagaStore: PostgresSagaStore;
  servicesOf(module: ModuleDefinition): ModuleServices;
  /** Hands the modules the bus once it is made. */
  useBus(bus: Bus): void;
}

/** Makes the transport and the ports, and asks each module for its endpoints. */
export function wireModules(
  config: HostConfig,
  sql: SqlClient,
  modules: readonly ModuleDefinition[],
  logger: Logger,
  now: () => number,
): ModuleWiring {
  const { transport, transactional, services } = wireTransport(config, sql, logger);
  const inbox = new PostgresInbox(sql, { windowMs: config.bus.inboxWindowMs });
  // The modules' clock: scheduled timeouts fire by the same time their sagas read.
  const scheduler = new PostgresScheduler(sql, { now });
  const sagaStore = new PostgresSagaStore(sql);
  let bus: Bus | undefined;
  const moduleTransactional = { ...transactional, inbox };
  const servicesOf = (module: ModuleDefinition): ModuleServices => ({
    sql,
    schema: module.name,
    logger: logger.child({ module: module.name }),
    transactional: moduleTransactional,
    inbox,
    sagaStore,
    scheduler,
    now,
    sagaEndpointOptions: { ...moduleTransactional, store: sagaStore, scheduler, now },
    get bus(): Bus {
      if (!bus) throw new Error(`Module "${module.name}" used the bus while the host was still building it`);
      return bus;
    },
  });
  const endpoints = modules.flatMap((each) => each.endpoints?.(servicesOf(each)) ?? []);
  return {
    transport,
    endpoints,
    services,
    transactional,
    inbox,
    scheduler,
    sagaStore,
    servicesOf,
    useBus: (made) => {
      bus = made;
    },
  };
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
    const transport = new RabbitMqTransport({
      url,
      logger,
      connectionName: 'switchyard host',
      confirmTimeoutMs: config.transport.confirmTimeoutMs,
      unavailableTimeoutMs: config.transport.unavailableTimeoutMs,
    });
    const outbox = new PostgresOutbox(sql);
    const dispatcher = new OutboxDispatcher({ outbox, transport, logger });
    return { transport, transactional: { transactions: sql, outbox, dispatcher }, services: [dispatcher] };
  }
  // The transport shares the database: messages enter its queues in the consumer's own transaction.
  const transport = new PostgresTransport(sql, { logger });
  return { transport, transactional: { transactions: sql, sends: transport }, services: [] };
}
