import { type Bus, createBus, type TransactionalOptions } from '@switchyard/bus';
import { RetentionCleaner, type SqlClient, type SqlTransaction } from '@switchyard/postgres';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ConfigError } from '../config/config-error.ts';
import type { HostConfig } from '../config/host-config.ts';
import { operationsAccessProblem } from '../config/operations-access.ts';
import { createHostLogger } from '../logging/host-logger.ts';
import { withSafeLogging } from '../logging/safe-logger.ts';
import { startBanner } from '../logging/start-banner.ts';
import { type DeploymentProfiles, type ModuleDefinition, modulesOfProfile } from '../modules/module.ts';
import type { HealthCheck } from '../server/health.ts';
import { createHttpServer } from '../server/http-server.ts';
import { type PrometheusMetrics, startPrometheusMetrics } from '../server/metrics.ts';
import { httpSlotAffinity } from '../server/slot-affinity.ts';
import { migrateModules, openDatabase, wireModules } from './module-wiring.ts';
import { desiredStateOf, serviceCatalogue, slotReconcilerOf } from './slot-wiring.ts';
/** What a host runs: validated configuration, the modules, and the profiles that pick among them. */
export interface HostOptions {
  readonly config: HostConfig;
  readonly modules: readonly ModuleDefinition[];
  readonly profiles?: DeploymentProfiles;
  /** The OpenAPI document's title and version. */
  readonly title?: string;
  readonly version?: string;
  /**
   * Default: to stdout at the configured level and format (`log.format`). Either way wrapped so that no
   * secret is logged.
   */
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
  // An application's own logger is wrapped too: the host's logs must never carry a secret.
  const logger = options.logger ? withSafeLogging(options.logger) : createHostLogger(config.log);
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
  // loadHostConfig refuses these settings already; a config built in code must not slip past the rule.
  const accessProblem = operationsAccessProblem(config.http);
  if (accessProblem !== undefined) {
    throw new ConfigError([
      { path: 'http.operationsToken', source: 'the host options', message: accessProblem },
    ]);
  }
  const sql = await openDatabase(config, logger);
  const closers: (() => Promise<void>)[] = [() => sql.close()];
  const closeAll = async () => {
    for (const close of closers.reverse())
      await close().catch((error) => logger.warn({ err: error }, 'Close failed'));
  };
  try {
    for (const { owner, report } of await migrateModules(sql, modules)) {
      if (report.applied.length > 0) logger.info({ owner, applied: report.applied }, 'Migrated');
    }
    const wiring = wireModules(config, sql, modules, logger, now);
    const { transport, inbox, scheduler, servicesOf } = wiring;
    const bus = createBus({
      transport,
      endpoints: wiring.endpoints,
      slot: config.slot,
      slotFollowsLive: modules.flatMap((each) => each.slotFollowsLive ?? []),
      outbound: [httpSlotAffinity],
      scheduler,
      logger,
      handlerTimeoutMs: config.bus.handlerTimeoutMs,
      retry: {
        immediate: {
          limit: config.bus.retry.immediateIntervalsMs.length,
          intervalsMs: config.bus.retry.immediateIntervalsMs,
          jitter: 0.2,
        },
        redelivery: { intervalsMs: config.bus.retry.redeliveryIntervalsMs },
      },
      services: [
        ...wiring.services,
        new RetentionCleaner({ inbox, ...retentionOutbox(wiring.transactional) }),
      ],
    });
    wiring.useBus(bus);
    const metrics: PrometheusMetrics = startPrometheusMetrics(options.title ?? 'switchyard', {
      serviceVersion: options.version ?? '0.1.0',
    });
    closers.push(() => metrics.shutdown());
    const http: FastifyInstance = await createHttpServer({
      logger,
      title: options.title ?? 'Switchyard',
      version: options.version ?? '0.1.0',
      metrics,
      operations:
        config.http.operationsToken !== undefined ? { token: config.http.operationsToken } : { open: true },
      limits: config.http,
      routes: modules.flatMap((each) => each.routes?.(servicesOf(each)) ?? []),
      readiness: [
        { name: 'database', check: async () => void (await sql.query('select 1')) },
        transportReadiness(bus, transport.name),
      ],
    });
    // Before the bus starts: a process that is the first of its slot finds its routing in place.
    const catalogue = serviceCatalogue(options.modules, servicesOf);
    const desiredState = await desiredStateOf(config, sql, catalogue);
    const reconciler = slotReconcilerOf(config, desiredState, catalogue, logger, sql);
    if (reconciler) {
      await reconciler.reconcileOnce();
      reconciler.start();
      closers.push(() => reconciler.stop());
    }
    await bus.start();
    closers.push(() => bus.stop({ deadlineMs: options.config.shutdown.deadlineMs }));
    for (const each of modules) await each.start?.(servicesOf(each));
    if (config.seed.demoData) {
      for (const each of modules) await each.seed?.(servicesOf(each));
    }
    await http.listen({ host: config.http.host, port: config.http.port });
    closers.push(() => http.close());
    const address = http.server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    const url = `http://${config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host}:${port}`;
    const app = [options.title ?? 'Switchyard', options.version].filter(Boolean).join(' ');
    // One entry with every field: a terminal shows it as a few plain lines, and JSON keeps `url`.
    logger.info(
      {
        banner: true,
        ...startBanner(
          config,
          url,
          modules.map((each) => each.name),
        ),
      },
      `${app} is running at ${url}`,
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

function retentionOutbox(transactional: TransactionalOptions<SqlTransaction>) {
  return transactional.outbox ? { outbox: transactional.outbox } : {};
}

/**
 * The transport's readiness: the bus running and its transport connected. A transport that is not
 * says why (its health detail): a broker that blocked publishers names its alarm, so the operator
 * reading `/health/ready` knows to free memory or disk on the broker rather than restart this process.
 */
export function transportReadiness(bus: Bus, transportName: string): HealthCheck {
  return {
    name: 'transport',
    check: async () => {
      const health = bus.health();
      if (health.state !== 'running') throw new Error(`bus is ${health.state}`);
      const { state, detail } = health.transport;
      if (state !== 'connected')
        throw new Error(`${transportName} is ${state}${detail === undefined ? '' : `: ${detail}`}`);
    },
  };
}
