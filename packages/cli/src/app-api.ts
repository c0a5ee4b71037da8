import { type AppApi, bounded } from '@switchyard/host';
import { CliError, exitCodes } from './exit-codes.ts';

/** A problem answer's fields that `yard` shows (RFC 9457). */
interface Problem {
  readonly title?: unknown;
  readonly detail?: unknown;
  readonly code?: unknown;
}

/**
 * The exit code for an API's problem answer: what was asked for does not exist (404), the command
 * line asked for something the API refuses as malformed (400, 405, 413-415, 422), anything else failed.
 */
function exitCodeOf(status: number): number {
  if (status === 404) return exitCodes.notFound;
  if ([400, 405, 413, 414, 415, 422].includes(status)) return exitCodes.usage;
  return exitCodes.failed;
}

/**
 * The running app's HTTP API for an app's `yard` commands: JSON in and out, a bearer token when the
 * configuration has one, and every failure a CliError with one line and its exit code.
 */
export function httpAppApi(url: string, token: string | undefined): AppApi {
  const base = url.replace(/\/+$/, '');
  return {
    url: base,
    async request(method, path, body) {
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, {
          method,
          headers: {
            accept: 'application/json, application/problem+json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (error) {
        const cause =
          error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : '';
        throw new CliError(
          `No app answers at ${base} (${bounded(cause, 200)}): start it (yard start), or say where it runs with --url`,
          exitCodes.failed,
        );
      }
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (response.ok) return parsed;
      const problem = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Problem;
      const title = typeof problem.title === 'string' ? problem.title : response.statusText;
      const detail = typeof problem.detail === 'string' ? `: ${problem.detail}` : '';
      const code = typeof problem.code === 'string' ? ` (${problem.code})` : '';
      throw new CliError(
        bounded(`${method} ${path} answered ${response.status} ${title}${detail}${code}`, 500),
        exitCodeOf(response.status),
      );
    },
  };
}
