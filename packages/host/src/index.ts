export { checkReadiness, type HealthCheck, type ReadinessReport } from './server/health.ts';
export { createHttpServer, type HttpServerOptions } from './server/http-server.ts';
export { type PrometheusMetrics, startPrometheusMetrics } from './server/metrics.ts';
export { type ProblemDetails, ProblemError, RequestValidationError } from './server/problem-details.ts';
export {
  type HttpMethod,
  type RouteDefinition,
  type RouteRequest,
  type RouteResponse,
  route,
} from './server/route.ts';
