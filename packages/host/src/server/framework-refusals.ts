import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hostProblems } from '../host-errors.ts';
import type { ProblemType } from './problem-types.ts';

// Refusals made before a route or an error handler is reached: Fastify's router (a path that does not
// decode, a parameter over its length limit) and Node's HTTP parser (headers too large, a request too
// slow, broken HTTP). Left alone they answer plain JSON, or Node's bare text; every answer of the host
// is problem+json, whichever layer refused the request.

const problemContentType = 'application/problem+json';

/** The router's refusals by Fastify's code, in words for the client (never the URL, which it has). */
const routerRefusals: Record<
  string,
  { readonly kind: ProblemType; readonly title: string; readonly detail: string }
> = {
  FST_ERR_BAD_URL: {
    kind: hostProblems.pathInvalid,
    title: 'Bad Request',
    detail: 'The request path is not valid percent-encoded UTF-8',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    kind: hostProblems.pathParameterTooLong,
    title: 'URI Too Long',
    detail: 'A path parameter is longer than the server accepts',
  },
};

/** Fastify's `frameworkErrors`: the router's refusals as problem+json. */
export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const refusal = routerRefusals[error.code] ?? {
    kind: hostProblems.pathInvalid,
    title: 'Bad Request',
    detail: 'The request could not be routed',
  };
  request.log.info({ code: error.code, status: refusal.kind.status }, 'Request refused by the router');
  void reply
    .status(refusal.kind.status)
    .type(problemContentType)
    .send(JSON.stringify(problemBody(refusal.kind, refusal.title, refusal.detail)));
}

/**
 * Fastify's `clientErrorHandler`: Node's HTTP parser refused the request (headers too large, a request
 * too slow, broken HTTP). The socket is answered by hand, since no request exists, then closed both
 * ways: a client still trickling bytes must not keep it.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [kind, title, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [
          hostProblems.headersTooLarge,
          'Request Header Fields Too Large',
          'The request headers are larger than the server accepts',
        ]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [hostProblems.requestTimeout, 'Request Timeout', 'The request did not arrive in time']
        : [hostProblems.notHttp, 'Bad Request', 'The request is not valid HTTP'];
  const body = JSON.stringify(problemBody(kind, title, detail));
  socket.end(
    `HTTP/1.1 ${kind.status} ${title}\r\nContent-Type: ${problemContentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

function problemBody(kind: ProblemType, title: string, detail: string) {
  return { type: kind.type, code: kind.code, title, status: kind.status, detail };
}
