import type { FastifyInstance } from 'fastify';
import { hostProblems } from '../host-errors.ts';
import { problem } from './problem-details.ts';

/**
 * Request bodies are JSON, and only JSON: one rule for every other content type (415 with the type
 * that is accepted), where Fastify would read `text/plain` as a string and let the schema complain.
 * JSON that holds a `__proto__` key, or `constructor.prototype`, is valid JSON refused for safety (it
 * is how objects' prototypes get poisoned); the answer says so, rather than "not valid JSON".
 */
export function useJsonBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(fastifyError('FST_ERR_CTP_EMPTY_JSON_BODY'), undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return done(fastifyError('FST_ERR_CTP_INVALID_JSON_BODY'), undefined);
    }
    const forbidden = forbiddenKeyPath(parsed, 'body');
    if (forbidden !== undefined) {
      return done(
        problem(
          hostProblems.bodyKeyForbidden,
          'Bad Request',
          `The request body is valid JSON, but ${forbidden} is a key the server refuses for safety (it can change the prototype of objects); rename it`,
        ),
        undefined,
      );
    }
    done(null, parsed);
  });
}

/** The path of the first `__proto__` key, or `constructor` holding `prototype`, in a parsed body. */
function forbiddenKeyPath(value: unknown, path: string, depth = 0): string | undefined {
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  for (const key of Object.keys(value)) {
    const child = (value as Record<string, unknown>)[key];
    if (key === '__proto__') return `${path}.__proto__`;
    if (key === 'constructor' && child !== null && typeof child === 'object' && 'prototype' in child) {
      return `${path}.constructor.prototype`;
    }
    const found = forbiddenKeyPath(child, `${path}.${key}`, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** An error shaped as Fastify's own, so the problem mapping gives it the code and words it gives Fastify's. */
function fastifyError(code: string): Error {
  return Object.assign(new Error(code), { code, statusCode: 400 });
}
