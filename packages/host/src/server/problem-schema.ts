import type { ProblemType } from './problem-types.ts';

/**
 * The OpenAPI schema of a route's answer with a 4xx or 5xx `status`: RFC 9457 problem details whose
 * `type` and `code` are one of `known`, the kinds of that status the route declares and the host
 * raises itself on it (`hostProblemsOf`). A status with no known kinds leaves them open strings.
 */
export function problemResponseSchema(
  status: number,
  known: readonly ProblemType[] = [],
): Record<string, unknown> {
  const kinds = known.filter((kind) => kind.status === status);
  const types = [...new Set(kinds.map((kind) => kind.type))];
  const codes = [...new Set(kinds.map((kind) => kind.code))];
  return {
    type: 'object',
    description: `RFC 9457 problem details${codes.length > 0 ? `: ${codes.join(', ')}` : ''}; branch on type (or code), never on title`,
    required: ['type', 'code', 'title', 'status', 'detail'],
    properties: {
      type: types.length > 0 ? { type: 'string', enum: types } : { type: 'string' },
      code: codes.length > 0 ? { type: 'string', enum: codes } : { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer', enum: [status] },
      detail: { type: 'string' },
      instance: { type: 'string' },
      errors: {
        type: 'array',
        items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
      },
    },
  };
}

/**
 * The OpenAPI responses of the statuses `kinds` hold that `declared` does not: what the host answers
 * with itself on a route whose own declaration leaves them out.
 */
export function undeclaredProblemResponses(
  kinds: readonly ProblemType[],
  declared: readonly number[],
  descriptions: Readonly<Record<number, string>>,
): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const status of new Set(kinds.map((kind) => kind.status))) {
    if (declared.includes(status)) continue;
    responses[status] = {
      description: descriptions[status] ?? 'Refused by the host',
      ...problemResponseSchema(status, kinds),
    };
  }
  return responses;
}
