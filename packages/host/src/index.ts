/**
 * The host: runs an application's modules in one process. A module (`defineModule`) owns a database
 * schema and its migrations, receive endpoints and HTTP routes; the host (`createHost`) opens the
 * database (a PostgreSQL server or embedded PGlite), migrates, starts the bus and a Fastify server
 * with health, metrics and OpenAPI, and stops it all in order. Configuration is one validated object
 * (`loadHostConfig`: defaults, a file, the environment); logs never carry a secret.
 *
 * ```ts
 * import { consumer, defineMessage, receiveEndpoint } from '@switchyard/bus';
 * import { createHost, defineModule, hostConfigSchema } from '@switchyard/host';
 * import { z } from 'zod';
 *
 * const TankFilled = defineMessage('dairy.TankFilled', z.object({ tank: z.string(), litres: z.number() }));
 * let filled = (_line: string) => {};
 * const done = new Promise<string>((resolve) => { filled = resolve; });
 *
 * const dairy = defineModule({
 *   name: 'dairy',
 *   endpoints: () => [
 *     receiveEndpoint('dairy-tanks', {
 *       consumers: [consumer(TankFilled, (each) => filled(`${each.tank} holds ${each.litres} l`))],
 *     }),
 *   ],
 * });
 *
 * // An application calls loadHostConfig(); here: any free port, embedded PGlite in memory, no logs.
 * const config = hostConfigSchema.parse({ http: { port: 0 }, database: { dataDir: 'memory' }, log: { level: 'silent' } });
 * const host = createHost({ config, modules: [dairy] });
 * const url = await host.start();
 * await host.bus?.publish(TankFilled, { tank: 'north', litres: 1200 });
 * const ready = await fetch(`${url}/health/ready`);
 * console.log(`${await done}; ready: ${ready.status}`);
 * await host.stop();
 * ```
 */
export { bounded, maxEchoedChars, redactSecrets } from '@switchyard/bus';
export { ConfigError, type ConfigIssue, formatConfigIssue } from './config/config-error.ts';
export { type HostConfig, hostConfigSchema, hostEnvAliases, loadHostConfig } from './config/host-config.ts';
export { type LoadConfigOptions, type LoadedConfig, loadConfig } from './config/load-config.ts';
export {
  isLoopbackHost,
  minOperationsTokenLength,
  type OperationsAccessSettings,
  operationsAccessProblem,
} from './config/operations-access.ts';
export { hostProblems } from './host-errors.ts';
export { createHostLogger, type HostLogSettings } from './logging/host-logger.ts';
export { chooseLogFormat, type LogFormat } from './logging/log-format.ts';
export {
  createSafeLogger,
  safeLoggerOptions,
  serializeErrorSafely,
  withSafeLogging,
} from './logging/safe-logger.ts';
export { type AppDefinition, defineApp } from './modules/app.ts';
export type {
  AppApi,
  AppCommand,
  AppCommandArgument,
  AppCommandInput,
  AppCommandOption,
  AppCommandResult,
  AppCommandTable,
} from './modules/app-command.ts';
export {
  type DeploymentProfiles,
  defineModule,
  type ModuleDefinition,
  type ModuleServices,
  modulesOfProfile,
} from './modules/module.ts';
export { createHost, type Host, type HostOptions } from './runtime/host.ts';
export { type ModuleWiring, migrateModules, openDatabase, wireModules } from './runtime/module-wiring.ts';
export { type HostProcessOptions, hostExitCodes, runHostProcess } from './runtime/run-host-process.ts';
export { runUntilSignalled } from './runtime/run-until-signalled.ts';
export { desiredStateOf, serviceCatalogue, slotReconcilerOf } from './runtime/slot-wiring.ts';
export { isStorableText, maxIdLength, maxTextLength, storable } from './schemas/storable.ts';
export { checkReadiness, type HealthCheck, type ReadinessReport } from './server/health.ts';
export { createHttpServer, type HttpServerOptions } from './server/http-server.ts';
export {
  type PrometheusMetrics,
  type PrometheusMetricsOptions,
  startPrometheusMetrics,
} from './server/metrics.ts';
export type { OperationsAccess } from './server/operations-auth.ts';
export {
  type ProblemDetails,
  ProblemError,
  problem,
  RequestValidationError,
} from './server/problem-details.ts';
export { type ProblemType, problemType, problemTypeUri } from './server/problem-types.ts';
export type { RouteResponseSpec } from './server/route.ts';
export {
  type HttpMethod,
  type RouteDefinition,
  type RouteRequest,
  type RouteResponse,
  route,
} from './server/route.ts';
export { httpSlotAffinity, slotAffinityCookie, slotAffinityHeader } from './server/slot-affinity.ts';
