import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { context, metrics, trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { z } from 'zod';
import {
  createHttpServer,
  ProblemError,
  type PrometheusMetrics,
  route,
  startPrometheusMetrics,
} from '../src/index.ts';

const Order = z.object({
  customerId: z.string().min(1),
  lines: z.array(z.object({ sku: z.string(), quantity: z.number().int().positive() })).min(1),
});
const Placed = z.object({ orderId: z.string(), traceId: z.string().optional() });

/** The fields of answers these tests read. */
interface Answer {
  orderId?: string;
  traceId?: string;
  title: string;
  detail: string;
  errors: { path: string }[];
  paths: Record<string, { post: OpenApiOperation }>;
}
interface OpenApiOperation {
  summary: string;
  requestBody: { content: Record<string, { schema: { required: string[] } }> };
  responses: Record<string, unknown>;
}

const answer = async (response: Response) => (await response.json()) as Answer;

describe('the host HTTP server', () => {
  let app: FastifyInstance;
  let base: string;
  let prometheus: PrometheusMetrics;
  let databaseUp = true;

  before(async () => {
    prometheus = startPrometheusMetrics('host-test');
    app = await createHttpServer({
      logger: pino({ enabled: false }),
      title: 'Test',
      version: '1.0.0',
      metrics: prometheus,
      readiness: [
        {
          name: 'database',
          check: async () => {
            if (!databaseUp) throw new Error('connection refused');
          },
        },
      ],
      routes: [
        route({
          method: 'POST',
          url: '/orders',
          summary: 'Place an order',
          tags: ['orders'],
          body: Order,
          responses: {
            201: { description: 'Placed', schema: Placed },
            400: { description: 'Invalid order' },
            409: { description: 'Past the cut-off' },
          },
          handler: ({ body }) => {
            if (body.customerId === 'late')
              throw new ProblemError(409, 'Conflict', 'The cut-off for tomorrow was 20:00');
            if (body.customerId === 'boom') throw new Error('secret internal detail');
            if (body.customerId === 'chatty')
              throw new ProblemError(422, 'Unprocessable Content', `Cannot place ${'x'.repeat(100_000)}`);
            if (body.customerId === 'leaky-4xx')
              throw Object.assign(new Error('pg said: password=s3cret-4xx for postgres://a:b@c'), {
                statusCode: 409,
              });
            const traceId = trace.getSpanContext(context.active())?.traceId;
            return { status: 201, body: { orderId: `o-${body.customerId}`, traceId } };
          },
        }),
      ],
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  after(async () => {
    await app.close();
    await prometheus.shutdown();
  });

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it('answers a valid request as the handler says', async () => {
    const response = await post(JSON.stringify({ customerId: 'c-1', lines: [{ sku: 'milk', quantity: 2 }] }));
    assert.equal(response.status, 201);
    assert.deepEqual(await response.json(), { orderId: 'o-c-1' });
  });

  it('refuses a body that fails its schema with problem+json naming each invalid field', async () => {
    const response = await post(JSON.stringify({ customerId: '', lines: [{ sku: 'milk', quantity: -1 }] }));
    assert.equal(response.status, 400);
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const problem = await answer(response);
    assert.equal(problem.title, 'Bad Request');
    assert.deepEqual(
      problem.errors.map((each) => each.path),
      ['body.customerId', 'body.lines.0.quantity'],
    );
  });

  it('refuses malformed JSON and unknown routes with problem+json', async () => {
    const malformed = await post('{"customerId":');
    assert.equal(malformed.status, 400);
    assert.match(malformed.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.match((await answer(malformed)).detail, /JSON/);
    const missing = await fetch(`${base}/nowhere`);
    assert.equal(missing.status, 404);
    assert.equal((await answer(missing)).detail, 'No route for GET /nowhere');
  });

  it('turns a ProblemError into its status, and any other error into a 500 that hides the cause', async () => {
    const late = await post(JSON.stringify({ customerId: 'late', lines: [{ sku: 'milk', quantity: 1 }] }));
    assert.equal(late.status, 409);
    assert.equal((await answer(late)).detail, 'The cut-off for tomorrow was 20:00');
    const boom = await post(JSON.stringify({ customerId: 'boom', lines: [{ sku: 'milk', quantity: 1 }] }), {
      'x-request-id': 'req-42',
    });
    assert.equal(boom.status, 500);
    const problem = await answer(boom);
    assert.doesNotMatch(problem.detail, /secret/);
    // The id is ours, sent back as X-Request-Id; the client's own (req-42) is only logged beside it.
    const ours = boom.headers.get('x-request-id') ?? '';
    assert.match(ours, /^[0-9a-f-]{36}$/);
    assert.match(problem.detail, new RegExp(`request id ${ours}`));
    assert.doesNotMatch(problem.detail, /req-42/);
  });

  it('bounds what a 4xx echoes: a huge invalid body gives a short answer', async () => {
    const lines = Array.from({ length: 5_000 }, () => ({ sku: 'milk', quantity: -1 }));
    const response = await post(JSON.stringify({ customerId: 'c-3', lines }));
    assert.equal(response.status, 400);
    const text = await response.text();
    assert.ok(text.length < 8_000, `the answer is ${text.length} characters`);
    const problem = JSON.parse(text) as Answer;
    assert.ok(problem.errors.length <= 20, `${problem.errors.length} errors echoed`);
    assert.match(problem.detail, /and 4980 more/);
  });

  it("does not echo the client's malformed JSON, nor an unknown path at any length", async () => {
    const malformed = await post('{"customerId": s3cret-in-body}');
    assert.equal(malformed.status, 400);
    assert.doesNotMatch(await malformed.text(), /s3cret/);
    const long = `/${'a'.repeat(8_000)}`;
    const missing = await fetch(`${base}${long}?token=s3cret-in-query`);
    assert.equal(missing.status, 404);
    const text = await missing.text();
    assert.ok(text.length < 2_000, `the answer is ${text.length} characters`);
    assert.doesNotMatch(text, /s3cret/);
  });

  it('caps a ProblemError detail, and hides the message of a 4xx our code did not write for the client', async () => {
    const chatty = await post(
      JSON.stringify({ customerId: 'chatty', lines: [{ sku: 'milk', quantity: 1 }] }),
    );
    assert.equal(chatty.status, 422);
    const problem = await answer(chatty);
    assert.match(problem.detail, /^Cannot place x+/);
    assert.ok(problem.detail.length < 3_000, `the detail is ${problem.detail.length} characters`);
    const leaky = await post(
      JSON.stringify({ customerId: 'leaky-4xx', lines: [{ sku: 'milk', quantity: 1 }] }),
    );
    assert.equal(leaky.status, 409);
    const text = await leaky.text();
    assert.doesNotMatch(text, /s3cret|postgres|pg said/);
  });

  it('runs the handler in the trace context of the incoming traceparent', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await post(
      JSON.stringify({ customerId: 'c-2', lines: [{ sku: 'milk', quantity: 1 }] }),
      {
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      },
    );
    assert.equal((await answer(response)).traceId, traceId);
  });

  it('reports liveness, and readiness with the failing check named', async () => {
    assert.equal((await fetch(`${base}/health/live`)).status, 200);
    assert.equal((await fetch(`${base}/health/ready`)).status, 200);
    databaseUp = false;
    try {
      const down = await fetch(`${base}/health/ready`);
      assert.equal(down.status, 503);
      assert.match((await answer(down)).detail, /database \(connection refused\)/);
    } finally {
      databaseUp = true;
    }
  });

  it('serves the OpenAPI document made from the route schemas, and the Swagger UI page', async () => {
    const document = await answer(await fetch(`${base}/openapi.json`));
    const operation = document.paths['/orders']?.post;
    assert.equal(operation?.summary, 'Place an order');
    const schema = operation?.requestBody.content['application/json']?.schema;
    assert.deepEqual(schema?.required, ['customerId', 'lines']);
    assert.ok(operation?.responses['409'], 'declared problem statuses are documented');
    const page = await fetch(`${base}/docs/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /swagger-ui/i);
  });

  it('serves OpenTelemetry metrics in Prometheus format', async () => {
    metrics.getMeter('host-test').createCounter('orders.placed').add(3, { region: 'uk' });
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.match(text, /orders_placed_total\{[^}]*region="uk"[^}]*\} 3/);
    assert.match(text, /^process_memory_usage_bytes(\{[^}]*\})? \d+$/m);
    assert.match(text, /target_info\{service_name="host-test"/);
  });
});
