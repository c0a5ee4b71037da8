import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type GeneratedRequest, type OpenApiDocument, requestsFromOpenApi } from './openapi-requests.ts';

/** How hard to push, and how slow an answer may be. */
export interface HttpEdgeOptions {
  /** Requests to send (default 300: well under a minute on a shared CI machine). */
  readonly numRuns?: number;
  /** Replays a failed run: the failure message prints the seed. */
  readonly seed?: number;
  /** The slowest answer allowed, in milliseconds (default 2,000). */
  readonly latencyBoundMs?: number;
  /** Paths of the document to leave out, such as health checks whose 503 is their job. */
  readonly skipPaths?: RegExp;
  /** Headers every request carries, such as an operations token. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** What one request got, for the caller's own checks (effects of accepted commands, say). */
export interface EdgeAnswer {
  readonly request: GeneratedRequest;
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly ms: number;
}

/**
 * Derives requests from a server's own `/openapi.json` and asserts the promises of its edge for each:
 * no 5xx, a problem+json body for every 4xx (with the status it was sent with), and an answer within
 * the bound. Resolves with every answer; a failure names the request and prints fast-check's seed.
 */
export async function checkHttpEdge(baseUrl: string, options: HttpEdgeOptions = {}): Promise<EdgeAnswer[]> {
  const document = (await (
    await fetch(`${baseUrl}/openapi.json`, { headers: options.headers })
  ).json()) as OpenApiDocument;
  const answers: EdgeAnswer[] = [];
  const bound = options.latencyBoundMs ?? 2_000;
  await fc.assert(
    fc.asyncProperty(requestsFromOpenApi(document, { skipPaths: options.skipPaths }), async (request) => {
      const started = performance.now();
      const response = await fetch(`${baseUrl}${request.path}`, {
        method: request.method,
        headers: { ...options.headers, ...request.headers },
        ...(request.body !== undefined ? { body: request.body } : {}),
        signal: AbortSignal.timeout(bound * 5),
      });
      const body = await response.text();
      const ms = performance.now() - started;
      const contentType = response.headers.get('content-type') ?? '';
      answers.push({ request, status: response.status, contentType, body, ms });
      const what = `${request.label}: ${request.method} ${request.path.slice(0, 300)} → ${response.status} ${body.slice(0, 300)}`;
      assert.ok(response.status < 500, `no 5xx: ${what}`);
      if (response.status >= 400) {
        assert.match(contentType, /^application\/problem\+json/, `problem+json for every 4xx: ${what}`);
        const problem = JSON.parse(body) as { status?: unknown; title?: unknown };
        assert.equal(problem.status, response.status, `the problem names its status: ${what}`);
        assert.equal(typeof problem.title, 'string', `the problem has a title: ${what}`);
      }
      assert.ok(ms < bound, `answered within ${bound} ms (took ${Math.round(ms)}): ${what}`);
    }),
    {
      numRuns: options.numRuns ?? 300,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      endOnFailure: true,
    },
  );
  return answers;
}
