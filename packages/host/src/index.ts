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
export {
  createSafeLogger,
  safeLoggerOptions,
  serializeErrorSafely,
  withSafeLogging,
} from './logging/safe-logger.ts';
export { type AppDefinition, defineApp } from './modules/app.ts';
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
export { checkReadiness, type HealthCheck, type ReadinessReport } from './server/health.ts';
export { createHttpServer, type HttpServerOptions } from './server/http-server.ts';
export { type PrometheusMetrics, startPrometheusMetrics } from './server/metrics.ts';
export type { OperationsAccess } from './server/operations-auth.ts';
export { type ProblemDetails, ProblemError, RequestValidationError } from './server/problem-details.ts';
export {
  type HttpMethod,
  type RouteDefinition,
  type RouteRequest,
  type RouteResponse,
  route,
} from './server/route.ts';
