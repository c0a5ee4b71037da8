import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { z } from 'zod';
import { createHttpServer, problem, problemType, route } from '../src/index.ts';
import { undeclaredAnswers } from './contract/http-problems-contract.ts';

// A kind of this test's own, to show a route's problems beside the host's: it borrows a code the host never raises.
const held = problemType('CONFIGURATION', 409);

/** A route of each shape: no input, a query, path parameters with a body, a body-carrying method without a schema, a failure. */
const routes = [
  route({
    method: 'GET',
    url: '/things',
    summary: 'Every thing',
    query: z.object({ limit: z.coerce.number().int().min(1).max(10).default(5) }),
    responses: { 200: { description: 'The things', schema: z.array(z.string()) } },
    handler: ({ query }) => ({ status: 200, body: Array.from({ length: query.limit }, (_, i) => `t-${i}`) }),
  }),
  route({
    method: 'GET',
    url: '/version',
    summary: 'The version',
    responses: { 200: { description: 'The version', schema: z.object({ version: z.string() }) } },
    handler: () => ({ status: 200, body: { version: '1' } }),
  }),
  route({
    method: 'PUT',
    url: '/things/:thingId',
    summary: 'Put a thing',
    params: z.object({ thingId: z.string().regex(/^[a-z0-9-]+$/) }),
    body: z.object({ name: z.string().min(1).max(20) }),
    responses: {
      200: { description: 'Put', schema: z.object({ thingId: z.string() }) },
      409: { description: 'Held', problems: [held] },
    },
    handler: ({ params }) => {
      if (params.thingId === 'held') throw problem(held, 'Held', 'The thing is held');
      return { status: 200, body: { thingId: params.thingId } };
    },
  }),
  route({
    method: 'POST',
    url: '/things/refresh',
    summary: 'Refresh the things (no body)',
    responses: { 204: { description: 'Refreshed' } },
    handler: () => ({ status: 204 }),
  }),
  route({
    method: 'DELETE',
    url: '/things/:thingId',
    summary: 'Delete a thing; always fails',
    params: z.object({ thingId: z.string() }),
    responses: { 204: { description: 'Deleted' } },
    handler: () => {
      throw new Error('the store is gone');
    },
  }),
];

/** The part of the OpenAPI document these tests read. */
type Document = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: CodeSchema }> }> }>
  >;
};
type CodeSchema = { properties?: { code?: { enum?: string[] } } };

describe("the host's own problems in the OpenAPI document", () => {
  let app: FastifyInstance;
  let base: string;
  let document: Document;

  before(async () => {
    app = await createHttpServer({
      logger: pino({ enabled: false }),
      title: 'Test',
      version: '1.0.0',
      readiness: [{ name: 'database', check: async () => Promise.reject(new Error('down')) }],
      routes,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    document = (await (await fetch(`${base}/openapi.json`)).json()) as Document;
  });
  after(() => app.close());

  const codes = (path: string, method: string, status: number) => {
    const content = document.paths[path]?.[method]?.responses[String(status)]?.content;
    return content ? Object.values(content)[0]?.schema.properties?.code?.enum : undefined;
  };

  it('declares on each route the statuses and codes the host itself answers there', () => {
    assert.deepEqual(codes('/version', 'get', 400), ['HTTP_SLOT_AFFINITY_INVALID', 'HTTP_PATH_INVALID']);
    assert.deepEqual(codes('/version', 'get', 405), ['HTTP_METHOD_NOT_ALLOWED']);
    assert.deepEqual(codes('/version', 'get', 500), ['HTTP_INTERNAL']);
    assert.equal(codes('/version', 'get', 413), undefined, 'a GET has no body to refuse');
    assert.equal(codes('/version', 'get', 414), undefined, 'a path without parameters has none too long');
    assert.deepEqual(codes('/things', 'get', 400), [
      'HTTP_REQUEST_INVALID',
      'HTTP_SLOT_AFFINITY_INVALID',
      'HTTP_PATH_INVALID',
    ]);
    assert.deepEqual(codes('/things/{thingId}', 'put', 400), [
      'HTTP_REQUEST_INVALID',
      'HTTP_BODY_NOT_JSON',
      'HTTP_BODY_KEY_FORBIDDEN',
      'HTTP_BODY_LENGTH_MISMATCH',
      'HTTP_SLOT_AFFINITY_INVALID',
      'HTTP_PATH_INVALID',
    ]);
    assert.deepEqual(codes('/things/{thingId}', 'put', 409), ['CONFIGURATION']);
    assert.deepEqual(codes('/things/{thingId}', 'put', 413), ['HTTP_BODY_TOO_LARGE']);
    assert.deepEqual(codes('/things/{thingId}', 'put', 414), ['HTTP_PATH_PARAMETER_TOO_LONG']);
    assert.deepEqual(codes('/things/{thingId}', 'put', 415), ['HTTP_MEDIA_TYPE_UNSUPPORTED']);
    assert.deepEqual(codes('/things/refresh', 'post', 415), ['HTTP_MEDIA_TYPE_UNSUPPORTED']);
    assert.deepEqual(codes('/health/ready', 'get', 503), ['HTTP_NOT_READY']);
    assert.equal(codes('/health/live', 'get', 503), undefined);
  });

  it('answers every bad request with a status and code its route declares', async () => {
    assert.deepEqual(await undeclaredAnswers(base), []);
  });

  it('is caught answering what a route does not declare (the contract can fail)', async () => {
    const bare = await createHttpServer({
      logger: pino({ enabled: false }),
      title: 'Bare',
      version: '1.0.0',
      readiness: [],
      routes: [
        route({
          method: 'GET',
          url: '/teapot',
          summary: 'Answers a status it does not declare',
          responses: { 200: { description: 'Never' } },
          handler: () => ({ status: 418, body: { no: 'declaration' } }),
        }),
      ],
    });
    await bare.listen({ port: 0, host: '127.0.0.1' });
    try {
      const address = bare.server.address();
      const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      assert.deepEqual(await undeclaredAnswers(url), ['GET /teapot as it stands: 418 is not declared']);
    } finally {
      await bare.close();
    }
  });
});
