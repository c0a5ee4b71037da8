import { hostProblems } from '../host-errors.ts';
import type { ProblemType } from './problem-types.ts';
import type { HttpMethod, RouteDefinition } from './route.ts';

/** Methods whose requests Fastify reads a body of, whatever the route's schema: each may meet the body's refusals. */
const bodyMethods: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The refusals of a body that arrived: not JSON, a forbidden key, a wrong length, too large, another media type. */
const bodyRefusals: readonly ProblemType[] = [
  hostProblems.bodyNotJson,
  hostProblems.bodyKeyForbidden,
  hostProblems.bodyLengthMismatch,
  hostProblems.bodyTooLarge,
  hostProblems.mediaTypeUnsupported,
];

/** What the host itself may answer on any path it serves: a path that does not decode, another method, a failure. */
const anyPath: readonly ProblemType[] = [
  hostProblems.pathInvalid,
  hostProblems.methodNotAllowed,
  hostProblems.internal,
];

/**
 * The problems the host raises itself for a module's route, before or around its handler, so that its
 * OpenAPI document declares every status and code a client can meet there (decision 0022): those of
 * any path; the slot affinity a handler runs in; a part that fails its schema; a path parameter over
 * the router's limit; and, where the method carries a body, the body's refusals.
 */
export function hostProblemsOf(definition: RouteDefinition): readonly ProblemType[] {
  const hasParams = definition.params !== undefined || definition.url.includes(':');
  const validated = hasParams || definition.query !== undefined || definition.body !== undefined;
  return [
    ...(validated ? [hostProblems.requestInvalid] : []),
    ...(bodyMethods.has(definition.method) ? bodyRefusals : []),
    hostProblems.slotAffinityInvalid,
    ...(hasParams ? [hostProblems.pathParameterTooLong] : []),
    ...anyPath,
  ];
}

/** The host's own problems on the routes it serves itself (`/health/*`): any path's, and readiness's 503. */
export function healthProblemsOf(ready: boolean): readonly ProblemType[] {
  return ready ? [...anyPath, hostProblems.notReady] : anyPath;
}

/** What a status means when the host declares it and the route does not describe it. */
export const hostStatusDescriptions: Readonly<Record<number, string>> = {
  400: 'The request is invalid: a part fails its schema, or the body or a header cannot be read',
  405: 'The path is served for other methods only; Allow lists them',
  413: 'The request body is larger than the server accepts',
  414: 'A path parameter is longer than the server accepts',
  415: 'The request body is not application/json',
  500: 'The server failed; the error is logged under the request id',
  503: 'Not ready: a dependency does not answer',
};
