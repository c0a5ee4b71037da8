import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hostProblems } from '../host-errors.ts';
import { codeOf, type ProblemDetails, pathOf } from './problem-details.ts';

/** Paths of the operational endpoints that a token guards, whole or as a prefix (`/docs/...`). */
const guardedPaths = ['/metrics', '/openapi.json', '/docs'];

/** Who may read the operational endpoints: anyone, or the holders of a bearer token. */
export type OperationsAccess = { readonly open: true } | { readonly token: string };

/** Whether the request may see operational detail: always when open, else with the right bearer token. */
export function mayOperate(access: OperationsAccess, request: FastifyRequest): boolean {
  if ('open' in access) return true;
  const header = request.headers.authorization;
  const presented = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  return presented !== undefined && sameSecret(presented, access.token);
}

/** Compares in constant time; hashing first makes the lengths equal without revealing the token's. */
function sameSecret(presented: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/** By the route matched, not the raw URL, which could spell the same path another way (`/%6detrics`). */
function isGuarded(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  if (route === undefined) return false;
  return guardedPaths.some((guarded) => route === guarded || route.startsWith(`${guarded}/`));
}

/** Answers 401 with problem+json and the `WWW-Authenticate` challenge. */
export function sendUnauthorized(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const problem: ProblemDetails = {
    ...codeOf(hostProblems.unauthorized),
    title: 'Unauthorized',
    status: 401,
    detail: 'This operational endpoint needs the operations token: send "Authorization: Bearer <token>"',
    instance: pathOf(request),
  };
  return reply
    .status(401)
    .header('www-authenticate', 'Bearer realm="switchyard-operations"')
    .type('application/problem+json')
    .send(JSON.stringify(problem));
}

/** Refuses /metrics, /docs and /openapi.json without the token (readiness decides on its details itself). */
export function guardOperationalEndpoints(app: FastifyInstance, access: OperationsAccess): void {
  if ('open' in access) return;
  app.addHook('onRequest', async (request, reply) => {
    if (isGuarded(request) && !mayOperate(access, request)) return sendUnauthorized(request, reply);
  });
}
