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
  /**
   * How long an accepted command (a 201 or 202 that names its status resource) may take to show its
   * effect or its reported failure, in milliseconds (default 10,000).
   */
  readonly settleBoundMs?: number;
}

/** What one request got, for the caller's own checks (effects of accepted commands, say). */
export interface EdgeAnswer {
  readonly request: GeneratedRequest;
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly ms: number;
  /** For an accepted command: what its status resource answered once it settled. */
  readonly settled?: SettledCommand;
}

/** What the status resource of an accepted command answered once it showed the effect or the failure. */
export interface SettledCommand {
  readonly url: string;
  readonly status: number;
  readonly body: string;
  /** True when the resource reported the command failed (`status: "failed"`, or a `failure`, in its body). */
  readonly failed: boolean;
  readonly ms: number;
}

/**
 * Derives requests from a server's own `/openapi.json` and asserts the promises of its edge for each:
 * no 5xx, a problem+json body for every 4xx (with the status it was sent with), an answer within the
 * bound, and for every accepted command (a 201 or 202 to a POST, PUT, PATCH or DELETE that names its
 * status resource by a Location header or a `location` in its body) a status resource that shows the
 * effect or the reported failure within `settleBoundMs`, never a 404 (or a 5xx) for good. Resolves with
 * every answer; a failure names the request and what the status resource answered, and fast-check
 * prints the seed that replays it.
 */
export async function checkHttpEdge(baseUrl: string, options: HttpEdgeOptions = {}): Promise<EdgeAnswer[]> {
  const document = (await (
    await fetch(`${baseUrl}/openapi.json`, { headers: options.headers })
  ).json()) as OpenApiDocument;
  const answers: EdgeAnswer[] = [];
  const bound = options.latencyBoundMs ?? 2_000;
  const settleBound = options.settleBoundMs ?? 10_000;
  // Chosen here rather than by fast-check, so that every failure message can name it.
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
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
      const answer: EdgeAnswer = { request, status: response.status, contentType, body, ms };
      answers.push(answer);
      const what = `${request.label}: ${request.method} ${request.path.slice(0, 300)} → ${response.status} ${body.slice(0, 300)} (seed ${seed})`;
      assert.ok(response.status < 500, `no 5xx: ${what}`);
      if (response.status >= 400) {
        assert.match(contentType, /^application\/problem\+json/, `problem+json for every 4xx: ${what}`);
        const problem = JSON.parse(body) as { status?: unknown; title?: unknown };
        assert.equal(problem.status, response.status, `the problem names its status: ${what}`);
        assert.equal(typeof problem.title, 'string', `the problem has a title: ${what}`);
      }
      assert.ok(ms < bound, `answered within ${bound} ms (took ${Math.round(ms)}): ${what}`);
      const statusUrl = acceptedCommandStatus(baseUrl, request, response, body);
      if (statusUrl) {
        const settled = await settle(statusUrl, { headers: options.headers, boundMs: settleBound });
        answers[answers.length - 1] = { ...answer, settled };
        assert.ok(
          settled.status >= 200 && settled.status < 300,
          `an accepted command shows its effect or its reported failure within ${settleBound} ms: ${what}; GET ${statusUrl} answered ${settled.status} ${settled.body.slice(0, 300)} after ${Math.round(settled.ms)} ms`,
        );
      }
    }),
    {
      numRuns: options.numRuns ?? 300,
      seed,
      endOnFailure: true,
    },
  );
  return answers;
}

const commandMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The status resource an accepted command names, on the server under test; undefined for anything else. */
function acceptedCommandStatus(
  baseUrl: string,
  request: GeneratedRequest,
  response: Response,
  body: string,
): string | undefined {
  if (!commandMethods.has(request.method.toUpperCase())) return undefined;
  if (response.status !== 201 && response.status !== 202) return undefined;
  const link = response.headers.get('location') ?? locationInBody(body);
  if (!link) return undefined;
  let url: URL;
  try {
    // A relative Location resolves against the request's own URL (RFC 9110), as a client reads it.
    url = new URL(link, `${baseUrl}${request.path}`);
  } catch {
    return undefined;
  }
  // A link elsewhere is not this server's to keep; the edge check follows only its own.
  return url.origin === new URL(baseUrl).origin ? url.href : undefined;
}

/** A `location` (or `statusUrl`) string at the top of a JSON body. */
function locationInBody(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown> | null;
    const link = parsed?.location ?? parsed?.statusUrl;
    return typeof link === 'string' ? link : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Polls a status resource while it answers 404 (the command not visible yet), until it answers
 * anything else or the bound passes; resolves with the last answer.
 */
async function settle(
  url: string,
  options: { headers: Readonly<Record<string, string>> | undefined; boundMs: number },
): Promise<SettledCommand> {
  const started = performance.now();
  for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
    const remaining = options.boundMs - (performance.now() - started);
    const response = await fetch(url, {
      headers: options.headers,
      signal: AbortSignal.timeout(Math.ceil(Math.max(remaining, 1_000))),
    });
    const body = await response.text();
    const ms = performance.now() - started;
    if (response.status !== 404 || ms + wait >= options.boundMs) {
      return { url, status: response.status, body, failed: reportsFailure(body), ms };
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** Whether the resource reports the command failed: as its status, or as a `failure` beside its state. */
function reportsFailure(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { status?: unknown; failure?: unknown } | null;
    return parsed?.status === 'failed' || (typeof parsed?.failure === 'object' && parsed.failure !== null);
  } catch {
    return false;
  }
}
