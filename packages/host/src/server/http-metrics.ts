import { type Attributes, type Histogram, metrics } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';

/** The methods the semantic conventions name; any other is `_OTHER`, so a client cannot make new series. */
const knownMethods = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
]);

/** The semantic conventions' advice for `http.server.request.duration`, in seconds. */
const durationBucketsSeconds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

let cached: { provider: ReturnType<typeof metrics.getMeterProvider>; duration: Histogram } | undefined;

/** Made from the provider registered now: a meter from the API does not follow a provider registered later. */
function durationHistogram(): Histogram {
  const provider = metrics.getMeterProvider();
  if (cached?.provider !== provider) {
    const duration = provider.getMeter('@switchyard/host').createHistogram('http.server.request.duration', {
      description: 'Duration of HTTP server requests, by route template, method and status code',
      unit: 's',
      advice: { explicitBucketBoundaries: durationBucketsSeconds },
    });
    cached = { provider, duration };
  }
  return cached.duration;
}

/**
 * Records every answered request in OpenTelemetry's `http.server.request.duration` histogram (whose
 * count is the number of requests), labelled as the HTTP semantic conventions say: the route template
 * (`/orders/:id`, never the path a client sent, and none when no route matched), the method, the
 * status code, and `error.type` for a 5xx.
 */
export function recordHttpServerMetrics(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const route = request.routeOptions.url;
    const attributes: Attributes = {
      'http.request.method': knownMethods.has(request.method) ? request.method : '_OTHER',
      'url.scheme': request.protocol,
      'http.response.status_code': status,
      ...(route !== undefined ? { 'http.route': route } : {}),
      ...(status >= 500 ? { 'error.type': String(status) } : {}),
    };
    durationHistogram().record(reply.elapsedTime / 1_000, attributes);
  });
}
