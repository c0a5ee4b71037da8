import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { context, propagation } from '@opentelemetry/api';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { hostProblems } from '../host-errors.ts';
import { withSafeLogging } from '../logging/safe-logger.ts';
import { answerClientError, answerFrameworkError } from './framework-refusals.ts';
import { checkReadiness, type HealthCheck } from './health.ts';
import { recordHttpServerMetrics } from './http-metrics.ts';
import { trackRouteMethods } from './method-not-allowed.ts';
import type { PrometheusMetrics } from './metrics.ts';
import { guardOperationalEndpoints, mayOperate, type OperationsAccess } from './operations-auth.ts';
import { codeOf, useProblemDetails } from './problem-details.ts';
import { problemResponseSchema, undeclaredProblemResponses } from './problem-schema.ts';
import { useJsonBodies } from './request-body.ts';
import type { RouteDefinition } from './route.ts';
import { healthProblemsOf, hostProblemsOf, hostStatusDescriptions } from './route-problems.ts';
import { jsonSchemaOf, useZodValidation } from './route-schemas.ts';
import { inRequestSlot, requestedSlot } from './slot-affinity.ts';
import { installTraceContext } from './trace-context.ts';

/** What the host's HTTP server serves besides the modules' routes. */
export interface HttpServerOptions {
  readonly logger: Logger;
  /** The OpenAPI document's title and version. */
  readonly title: string;
  readonly version: string;
  readonly routes: readonly RouteDefinition[];
  /** What `/health/ready` checks (the database, the transport). */
  readonly readiness: readonly HealthCheck[];
  readonly metrics?: PrometheusMetrics;
  /** How long one readiness check may take before it counts as failed (default 2 s). */
  readonly readinessTimeoutMs?: number;
  /**
   * Who may read /metrics, /docs, /openapi.json and the details of /health/ready: anyone (the default,
   * for a server on loopback), or the holders of a bearer token.
   */
  readonly operations?: OperationsAccess;
  /** What protects the process from slow and greedy clients (defaults as in the host configuration). */
  readonly limits?: HttpLimits;
}

/** Bounds on what one client may hold of the server: time to send a request, connections, body size. */
export interface HttpLimits {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxConnections: number;
  readonly bodyLimitBytes: number;
}

const defaultLimits: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1_024,
  bodyLimitBytes: 1_048_576,
};

/**
 * The host's Fastify server, not yet listening: the modules' routes (validated by their zod schemas,
 * documented at `/openapi.json` and `/docs`), problem+json for every error, `/health/live`,
 * `/health/ready` and Prometheus `/metrics` (the operational ones behind `options.operations`). A request's W3C trace context (`traceparent`) is the
 * context its handler runs in, so the messages it causes join its trace.
 */
export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  installTraceContext();
  const limits = options.limits ?? defaultLimits;
  const app = Fastify({
    // pino's Logger is Fastify's logger; only the declared types differ.
    // Wrapped so that request logs hide credentials in headers and query strings, and errors their URLs.
    loggerInstance: withSafeLogging(options.logger) as FastifyBaseLogger,
    // Node checks its header and request timeouts only every connectionsCheckingInterval (30 s by
    // default): a client trickling one header byte at a time would keep its socket that long.
    serverFactory: (handler) =>
      createServer(
        {
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: limits.requestTimeoutMs,
          keepAliveTimeout: limits.keepAliveTimeoutMs,
          connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
        },
        handler,
      ),
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    bodyLimit: limits.bodyLimitBytes,
    // The router's and Node's own refusals answer problem+json like everything else.
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    // Our own id for every request: a client must not choose, or collide, the ids in our logs. A
    // client's X-Request-Id is kept beside it (clientRequestId), so both sides' logs still line up.
    genReqId: () => randomUUID(),
  });
  app.server.maxConnections = limits.maxConnections;
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const given = request.headers['x-request-id'];
    if (typeof given === 'string' && given !== '') {
      // The reply logs "request completed" through its own reference: both carry the client's id.
      const withClientId = request.log.child({ clientRequestId: given.slice(0, 128) });
      request.log = withClientId;
      reply.log = withClientId;
    }
  });
  recordHttpServerMetrics(app);
  // Before any route is registered, so that every one is known to the 405 answer.
  const allowedMethodsFor = trackRouteMethods(app);
  useProblemDetails(app, allowedMethodsFor);
  useJsonBodies(app);
  useZodValidation(app);
  const access: OperationsAccess = options.operations ?? { open: true };
  // Before the plugins register their routes, so that the guard covers /docs and everything under it.
  guardOperationalEndpoints(app, access);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: options.title, version: options.version },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get(
    '/health/live',
    {
      schema: {
        tags: ['health'],
        summary: 'The process is up',
        response: healthResponses('The process is up', ['live'], false),
      },
    },
    async () => ({ status: 'live' }),
  );
  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'The database and the transport answer (which check fails only with the operations token)',
        response: healthResponses('Every check answers', ['ready'], true),
      },
    },
    async (request, reply) => {
      const report = await checkReadiness(options.readiness, options.readinessTimeoutMs ?? 2_000);
      // The status is for load balancers; which check fails, and the driver's words, only for operators.
      const detailed = mayOperate(access, request);
      if (report.ready) return detailed ? { status: 'ready', checks: report.checks } : { status: 'ready' };
      const failing = report.checks.filter((each) => !each.ok);
      const problem = {
        ...codeOf(hostProblems.notReady),
        title: 'Service Unavailable',
        status: 503,
        detail: detailed
          ? `Not ready: ${failing.map((each) => `${each.name} (${each.detail})`).join(', ')}`
          : 'Not ready; the operations token shows which check fails',
        ...(detailed ? { checks: report.checks } : {}),
      };
      return reply.status(503).type('application/problem+json').send(JSON.stringify(problem));
    },
  );
  const prometheus = options.metrics;
  if (prometheus) {
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/plain; version=0.0.4').send(await prometheus.render()),
    );
  }

  for (const definition of options.routes) {
    // The route's own problems, and those the host raises around its handler, declared together.
    const own = hostProblemsOf(definition);
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(definition.responses)) {
      responses[status] = response.schema
        ? { description: response.description, ...jsonSchemaOf(response.schema, 'output') }
        : {
            description: response.description,
            ...(Number(status) >= 400
              ? problemResponseSchema(Number(status), [...(response.problems ?? []), ...own])
              : {}),
          };
    }
    Object.assign(
      responses,
      undeclaredProblemResponses(own, Object.keys(definition.responses).map(Number), hostStatusDescriptions),
    );
    app.route({
      method: definition.method,
      url: definition.url,
      schema: {
        summary: definition.summary,
        ...(definition.tags ? { tags: [...definition.tags] } : {}),
        ...(definition.body ? { body: jsonSchemaOf(definition.body) } : {}),
        ...(definition.query ? { querystring: jsonSchemaOf(definition.query) } : {}),
        ...(definition.params ? { params: jsonSchemaOf(definition.params) } : {}),
        response: responses,
      },
      handler: async (request, reply) => {
        const parent = propagation.extract(context.active(), request.headers);
        const slot = requestedSlot(request.headers);
        const answer = await context.with(parent, () =>
          inRequestSlot(slot, () =>
            definition.handler({
              body: request.body,
              query: request.query,
              params: request.params,
              headers: request.headers,
              id: request.id,
            }),
          ),
        );
        if (answer.headers) reply.headers(answer.headers);
        reply.status(answer.status);
        return answer.body === undefined ? reply.send() : answer.body;
      },
    });
  }
  return app;
}

/** The OpenAPI responses of a health route: its 200, and the problems the host answers there. */
function healthResponses(
  description: string,
  statuses: readonly string[],
  ready: boolean,
): Record<string, unknown> {
  return {
    200: {
      description,
      type: 'object',
      required: ['status'],
      properties: {
        status: { type: 'string', enum: statuses },
        // Each check's name and outcome, shown to the holders of the operations token only.
        ...(ready ? { checks: { type: 'array', items: { type: 'object' } } } : {}),
      },
    },
    ...undeclaredProblemResponses(healthProblemsOf(ready), [], hostStatusDescriptions),
  };
}
