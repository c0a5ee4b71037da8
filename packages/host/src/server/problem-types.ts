import type { ErrorCode } from '@switchyard/bus';

/** Where every problem type URI starts; the rest is the problem's code in kebab case. */
export const problemTypeBase = 'https://switchyard.dev/problems/';

/**
 * One kind of problem an HTTP answer can carry: its catalogue code, the status it always has, and its
 * `type` URI, which a client branches on (a title is for people and may change).
 */
export interface ProblemType {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: string;
}

/** The `type` URI of a code: `NO_SUCH_ORDER` → `https://switchyard.dev/problems/no-such-order`. */
export function problemTypeUri(code: ErrorCode): string {
  return `${problemTypeBase}${code.toLowerCase().replaceAll('_', '-')}`;
}

/** Declares a kind of problem, for a route's `responses` and for the factory that raises it. */
export function problemType(code: ErrorCode, status: number): ProblemType {
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw new RangeError(`A problem's status must be from 400 to 599, got ${status} for ${code}`);
  }
  return { code, status, type: problemTypeUri(code) };
}
