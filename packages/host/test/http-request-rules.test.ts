import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { z } from 'zod';
import { createHttpServer, route } from '../src/index.ts';

// One rule per kind of bad request, each said in words a client can act on (decision 0025).

interface Problem {
  status: number;
  code: string;
  title: string;
  detail: string;
  errors?: { path: string; message: string }[];
}

describe('what a request body and method may be', () => {
  let app: FastifyInstance;
  let base: string;

  before(async () => {
    app = await createHttpServer({
      logger: pino({ enabled: false }),
      title: 'Test',
      version: '1.0.0',
      readiness: [],
      routes: [
        route({
          method: 'POST',
          url: '/orders',
          summary: 'Place an order',
          body: z.object({
            customerId: z.string().min(1),
            lines: z.array(z.object({ sku: z.string(), quantity: z.number().int() })).min(1),
          }),
          responses: { 201: { description: 'Placed', schema: z.object({ lines: z.number() }) } },
          handler: ({ body }) => ({ status: 201, body: { lines: body.lines.length } }),
        }),
        route({
          method: 'GET',
          url: '/orders/:orderId',
          summary: 'An order',
          params: z.object({ orderId: z.string().regex(/^o-\d+$/) }),
          responses: { 200: { description: 'The order', schema: z.object({ orderId: z.string() }) } },
          handler: ({ params }) => ({ status: 200, body: { orderId: params.orderId } }),
        }),
      ],
    });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => app?.close());

  const post = (body: string, contentType = 'application/json') =>
    fetch(`${base}/orders`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const problemOf = async (response: Response) => {
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    return (await response.json()) as Problem;
  };

  it('says a body with a __proto__ key is valid JSON refused for safety, not "not JSON"', async () => {
    const answer = await post(
      '{"__proto__":{"admin":true},"customerId":"c-1","lines":[{"sku":"m","quantity":1}]}',
    );
    assert.equal(answer.status, 400);
    const problem = await problemOf(answer);
    assert.equal(problem.code, 'HTTP_BODY_KEY_FORBIDDEN');
    assert.match(problem.detail, /valid JSON, but body\.__proto__ is a key the server refuses for safety/);
    const broken = await problemOf(await post('{"customerId":'));
    assert.equal(broken.code, 'HTTP_BODY_NOT_JSON', 'broken JSON is still "not JSON"');
  });

  it('answers every body that is not JSON with one rule: 415 naming the type it takes', async () => {
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
      const answer = await post('customerId=c-1', type);
      assert.equal(answer.status, 415, type);
      const problem = await problemOf(answer);
      assert.equal(problem.code, 'HTTP_MEDIA_TYPE_UNSUPPORTED');
      assert.match(problem.detail, /application\/json/);
    }
  });

  it('answers a known path asked with another method with 405 and Allow', async () => {
    const answer = await fetch(`${base}/orders/o-1`, { method: 'DELETE' });
    assert.equal(answer.status, 405);
    assert.equal(answer.headers.get('allow'), 'GET, HEAD');
    const problem = await problemOf(answer);
    assert.equal(problem.code, 'HTTP_METHOD_NOT_ALLOWED');
    const unknown = await fetch(`${base}/nowhere`, { method: 'DELETE' });
    assert.equal(unknown.status, 404, 'a path nobody serves is still 404');
  });

  it('refuses a body field the route does not declare, naming its path', async () => {
    const answer = await post(
      JSON.stringify({ customerId: 'c-1', admin: true, lines: [{ sku: 'm', quantity: 1, discount: 50 }] }),
    );
    assert.equal(answer.status, 400);
    const problem = await problemOf(answer);
    assert.deepEqual(
      problem.errors?.map((each) => each.path),
      ['body.admin', 'body.lines.0.discount'],
    );
    assert.match(problem.detail, /^The request body is invalid: body\.admin: is not a field of this request/);
    const fine = await post(JSON.stringify({ customerId: 'c-1', lines: [{ sku: 'm', quantity: 1 }] }));
    assert.equal(fine.status, 201);
  });

  it('names the part of the request that is invalid in a sentence', async () => {
    const problem = await problemOf(await fetch(`${base}/orders/x-1`));
    assert.match(problem.detail, /^The request's path parameters are invalid: params\.orderId/);
  });
});
