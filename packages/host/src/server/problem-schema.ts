import { hostProblems } from '../host-errors.ts';
import type { ProblemType } from './problem-types.ts';

/** The host's problems any route may answer with, whatever it declares: those about the request itself. */
const everyRoutes: readonly ProblemType[] = [
  hostProblems.requestInvalid,
  hostProblems.bodyNotJson,
  hostProblems.bodyLengthMismatch,
  hostProblems.bodyTooLarge,
  hostProblems.mediaTypeUnsupported,
  hostProblems.internal,
];

/**
 * The OpenAPI schema of a route's answer with a 4xx or 5xx `status`: RFC 9457 problem details whose
 * `type` and `code` are one of the kinds the route declares for that status, or one of the host's own.
 * A status with no known kinds leaves them open strings.
 */
export function problemResponseSchema(
  status: number,
  declared: readonly ProblemType[] = [],
): Record<string, unknown> {
  const kinds = [...declared, ...everyRoutes].filter((kind) => kind.status === status);
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
