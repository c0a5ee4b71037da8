import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { z } from 'zod';
import {
  createHttpServer,
  hostProblems,
  ProblemError,
  problem,
  problemType,
  problemTypeUri,
  route,
} from '../src/index.ts';

/** The fields of a problem these tests read. */
interface Problem {
  readonly type: string;
  readonly code: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
}

/** The OpenAPI schema of one response, as far as these tests read it. */
interface ResponseSchema {
  readonly description: string;
  readonly content: Record<
    string,
    { schema: { required?: string[]; properties: Record<string, { enum?: unknown[] }> } }
  >;
}

// A problem kind of this test's own: codes are the catalogue's, so it borrows one the host never raises itself.
const closed = problemType('CONFIGURATION', 409);

describe('coded HTTP problems', () => {
  let app: FastifyInstance;
  let base: string;

  before(async () => {
    app = await createHttpServer({
      logger: pino({ enabled: false }),
      title: 'Test',
      version: '1.0.0',
      readiness: [{ name: 'database', check: async () => Promise.reject(new Error('down')) }],
      routes: [
        route({
          method: 'POST',
          url: '/orders/:orderId/close',
          summary: 'Close an order',
          params: z.object({ orderId: z.string().min(1) }),
          body: z.object({ why: z.string().min(1) }),
          responses: {
            200: { description: 'Closed', schema: z.object({ orderId: z.string() }) },
            400: { description: 'Invalid request' },
            409: { description: 'Closed already', problems: [closed] },
            422: { description: 'Refused, without a code of its own' },
          },
          handler: ({ params, body }) => {
            if (params.orderId === 'closed')
              throw problem(closed, 'Order is closed', `Order "${params.orderId}" was closed`);
            if (params.orderId === 'uncoded')
              throw new ProblemError(422, 'Unprocessable Content', 'No code given');
            if (params.orderId === 'boom') throw new Error('internal');
            return { status: 200, body: { orderId: `${params.orderId}:${body.why}` } };
          },
        }),
      ],
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  after(() => app.close());

  const close = async (orderId: string, body: string): Promise<{ status: number; problem: Problem }> => {
    const response = await fetch(`${base}/orders/${orderId}/close`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return { status: response.status, problem: (await response.json()) as Problem };
  };

  it('makes a type URI from a code, the same for every problem of the code', () => {
    assert.equal(
      problemTypeUri('HTTP_ROUTE_NOT_FOUND'),
      'https://switchyard.dev/problems/http-route-not-found',
    );
    assert.deepEqual(problemType('HTTP_ROUTE_NOT_FOUND', 404), hostProblems.routeNotFound);
    assert.throws(() => problemType('CONFIGURATION', 200), /from 400 to 599, got 200 for CONFIGURATION/);
  });

  it("answers a route's problem with its code and type, keeping title, status and detail", async () => {
    const { status, problem: answered } = await close('closed', '{"why":"done"}');
    assert.equal(status, 409);
    assert.deepEqual(
      { type: answered.type, code: answered.code, title: answered.title, detail: answered.detail },
      {
        type: 'https://switchyard.dev/problems/configuration',
        code: 'CONFIGURATION',
        title: 'Order is closed',
        detail: 'Order "closed" was closed',
      },
    );
  });

  it("gives every problem of the host's own a code and a type made from it", async () => {
    const cases: { name: string; answer: () => Promise<Response>; code: string; status: number }[] = [
      {
        name: 'invalid body',
        answer: () => fetchClose('x', '{"why":""}'),
        code: 'HTTP_REQUEST_INVALID',
        status: 400,
      },
      {
        name: 'broken JSON',
        answer: () => fetchClose('x', '{"why":'),
        code: 'HTTP_BODY_NOT_JSON',
        status: 400,
      },
      { name: 'empty JSON', answer: () => fetchClose('x', ''), code: 'HTTP_BODY_NOT_JSON', status: 400 },
      {
        name: 'media type',
        answer: () =>
          fetch(`${base}/orders/x/close`, {
            method: 'POST',
            headers: { 'content-type': 'text/csv' },
            body: 'a,b',
          }),
        code: 'HTTP_MEDIA_TYPE_UNSUPPORTED',
        status: 415,
      },
      {
        name: 'too large',
        answer: () => fetchClose('x', JSON.stringify({ why: 'x'.repeat(2_000_000) })),
        code: 'HTTP_BODY_TOO_LARGE',
        status: 413,
      },
      { name: 'no route', answer: () => fetch(`${base}/nowhere`), code: 'HTTP_ROUTE_NOT_FOUND', status: 404 },
      {
        name: 'a failure',
        answer: () => fetchClose('boom', '{"why":"x"}'),
        code: 'HTTP_INTERNAL',
        status: 500,
      },
      { name: 'not ready', answer: () => fetch(`${base}/health/ready`), code: 'HTTP_NOT_READY', status: 503 },
      {
        name: 'uncoded ProblemError',
        answer: () => fetchClose('uncoded', '{"why":"x"}'),
        code: 'HTTP_REQUEST_REFUSED',
        status: 422,
      },
    ];
    for (const each of cases) {
      const response = await each.answer();
      const answered = (await response.json()) as Problem;
      assert.equal(response.status, each.status, each.name);
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/, each.name);
      assert.equal(answered.code, each.code, each.name);
      assert.equal(answered.type, problemTypeUri(each.code as never), each.name);
      assert.equal(answered.status, each.status, each.name);
    }
  });

  it('declares the problem types of each status in the OpenAPI document', async () => {
    const document = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, { post: { responses: Record<string, ResponseSchema> } }>;
    };
    const responses = document.paths['/orders/{orderId}/close']?.post.responses;
    assert.ok(responses, 'the route is in the document');
    const schemaOf = (status: string) => {
      const content = responses[status]?.content;
      const schema = content ? Object.values(content)[0]?.schema : undefined;
      assert.ok(schema, `status ${status} has a schema`);
      return schema;
    };
    assert.deepEqual(schemaOf('409').properties.type?.enum, [closed.type]);
    assert.deepEqual(schemaOf('409').properties.code?.enum, ['CONFIGURATION']);
    assert.deepEqual(schemaOf('400').properties.code?.enum, [
      'HTTP_REQUEST_INVALID',
      'HTTP_BODY_NOT_JSON',
      'HTTP_BODY_KEY_FORBIDDEN',
      'HTTP_BODY_LENGTH_MISMATCH',
      'HTTP_SLOT_AFFINITY_INVALID',
      'HTTP_PATH_INVALID',
    ]);
    assert.ok(schemaOf('409').required?.includes('type') && schemaOf('409').required?.includes('code'));
    // A status with no declared kinds leaves type and code open: the route promises nothing it cannot keep.
    assert.equal(schemaOf('422').properties.code?.enum, undefined);
  });

  const fetchClose = (orderId: string, body: string) =>
    fetch(`${base}/orders/${orderId}/close`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
});
