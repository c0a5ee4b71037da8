import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import type { ProblemType } from './problem-types.ts';

/** HTTP methods a route may answer. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a handler gets: the request parts, already validated against the route's schemas. */
export interface RouteRequest<B, Q, P> {
  readonly body: B;
  readonly query: Q;
  readonly params: P;
  readonly headers: IncomingHttpHeaders;
  /** The request id, also on every log line of the request. */
  readonly id: string;
}

/** What a handler answers: a status its route declares, and a body of that status's schema. */
export interface RouteResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One status a route answers with: a body schema for a success, the problem kinds for a 4xx or 5xx. */
export interface RouteResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
  readonly problems?: readonly ProblemType[];
}

/** A route declared by schema: the server validates with it and the OpenAPI document is made from it. */
export interface RouteDefinition<B = unknown, Q = unknown, P = unknown> {
  readonly method: HttpMethod;
  /** Fastify's path syntax: `/orders/:orderId`. */
  readonly url: string;
  readonly summary: string;
  readonly tags?: readonly string[];
  readonly body?: z.ZodType<B>;
  readonly query?: z.ZodType<Q>;
  readonly params?: z.ZodType<P>;
  /**
   * Every status the route answers with, described. A problem+json status needs no schema: it lists the
   * kinds of problem the route raises with it (`problems`), which the OpenAPI document names by `type`.
   */
  readonly responses: Readonly<Record<number, RouteResponseSpec>>;
  /** Throw a problem of a kind the route declares (built by its module's factory); anything else thrown is a 500. */
  readonly handler: (request: RouteRequest<B, Q, P>) => Promise<RouteResponse> | RouteResponse;
}

/** Declares a route; the types of `body`, `query` and `params` come from their schemas. */
export function route<B = undefined, Q = undefined, P = undefined>(
  definition: RouteDefinition<B, Q, P>,
): RouteDefinition {
  return definition as unknown as RouteDefinition;
}
