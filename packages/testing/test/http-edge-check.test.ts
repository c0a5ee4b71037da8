import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { checkHttpEdge } from '../src/http-edge-check.ts';

// A server that accepts every command with a 202 and a Location, and whose status resource answers as
// `statusOf` says: the edge check must tell a command lost for good from one that shows its outcome.

const document = {
  openapi: '3.1.0',
  paths: {
    '/things': {
      post: {
        requestBody: {
          content: {
            'application/json': {
              schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
            },
          },
        },
      },
    },
  },
};

async function serve(statusOf: (askedTimes: number) => { status: number; body: unknown }): Promise<Server> {
  let asked = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.url === '/openapi.json') {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
      } else if (request.method === 'POST') {
        response
          .writeHead(202, { 'content-type': 'application/json', location: '/things/t-1' })
          .end(JSON.stringify({ thingId: 't-1' }));
      } else {
        asked += 1;
        const answer = statusOf(asked);
        const type = answer.status === 404 ? 'application/problem+json' : 'application/json';
        response.writeHead(answer.status, { 'content-type': type }).end(JSON.stringify(answer.body));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const notFound = { status: 404, body: { status: 404, title: 'Not found' } };

describe('checkHttpEdge on accepted commands', () => {
  const servers: Server[] = [];
  after(() => {
    for (const server of servers) server.close();
  });

  it('fails when a status resource answers 404 past the bound, naming the request, the answer and the seed', async () => {
    const server = await serve(() => notFound);
    servers.push(server);
    await assert.rejects(
      checkHttpEdge(urlOf(server), { numRuns: 3, settleBoundMs: 200, seed: 42 }),
      (error: Error) => {
        // fast-check's own message prints the seed; the failed assertion is its cause.
        const said = `${error.message}\n${(error.cause as Error | undefined)?.message}`;
        assert.match(said, /an accepted command shows its effect or its reported failure within 200 ms/);
        assert.match(said, /POST \/things → 202 .*\(seed 42\)/);
        assert.match(said, /GET http:\/\/127\.0\.0\.1:\d+\/things\/t-1 answered 404/);
        assert.match(error.message, /seed: 42/);
        return true;
      },
    );
  });

  it('passes when the status resource shows the command, at once or after a while, or reports it failed', async () => {
    const late = await serve((asked) => (asked < 3 ? notFound : { status: 200, body: { status: 'done' } }));
    const failed = await serve(() => ({ status: 200, body: { status: 'failed', reason: 'disk full' } }));
    servers.push(late, failed);
    const shown = await checkHttpEdge(urlOf(late), { numRuns: 3, settleBoundMs: 5_000 });
    assert.ok(shown.every((answer) => answer.settled?.status === 200 && !answer.settled.failed));
    const reported = await checkHttpEdge(urlOf(failed), { numRuns: 3, settleBoundMs: 5_000 });
    assert.ok(reported.every((answer) => answer.settled?.failed === true));
  });
});
