import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** RFC 9457 problem details: what every 4xx and 5xx response of the host carries. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  /** For validation problems: each invalid field, by its path in the request. */
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
}

/** A handler's way to answer with a problem: `throw new ProblemError(409, 'Order is past its cut-off', ...)`. */
export class ProblemError extends Error {
  readonly status: number;
  readonly title: string;
  readonly type: string;

  constructor(status: number, title: string, detail: string, options: { type?: string } = {}) {
    super(detail);
    this.name = 'ProblemError';
    this.status = status;
    this.title = title;
    this.type = options.type ?? 'about:blank';
  }
}

/** A request that failed its route's schema; the handler never ran. */
export class RequestValidationError extends Error {
  readonly errors: readonly { readonly path: string; readonly message: string }[];

  constructor(part: string, errors: readonly { readonly path: string; readonly message: string }[]) {
    super(
      `The request ${part} is invalid: ${errors.map((each) => `${each.path}: ${each.message}`).join('; ')}`,
    );
    this.name = 'RequestValidationError';
    this.errors = errors;
  }
}

const contentType = 'application/problem+json';

/** Makes every error and unknown route answer with problem+json; a 5xx hides its cause from the client and logs it. */
export function useProblemDetails(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) =>
    send(reply, {
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: `No route for ${request.method} ${request.url}`,
      instance: request.url,
    }),
  );
  app.setErrorHandler((error: FastifyError, request, reply) => send(reply, problemFor(error, request)));
}

function problemFor(error: FastifyError, request: FastifyRequest): ProblemDetails {
  const cause = error.cause;
  if (error instanceof RequestValidationError || cause instanceof RequestValidationError) {
    const invalid = (error instanceof RequestValidationError ? error : cause) as RequestValidationError;
    return {
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: invalid.message,
      instance: request.url,
      errors: invalid.errors,
    };
  }
  if (error instanceof ProblemError) {
    return {
      type: error.type,
      title: error.title,
      status: error.status,
      detail: error.message,
      instance: request.url,
    };
  }
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
  if (status >= 500) {
    request.log.error({ err: error }, 'Request failed');
    return {
      type: 'about:blank',
      title: 'Internal Server Error',
      status,
      detail: `The server could not handle ${request.method} ${request.url}; the error is logged with request id ${request.id}`,
      instance: request.url,
    };
  }
  // Fastify's own 4xx (malformed JSON, unsupported media type, body too large) keep their message.
  return {
    type: 'about:blank',
    title: titleOf(status),
    status,
    detail: error.message,
    instance: request.url,
  };
}

function send(reply: FastifyReply, problem: ProblemDetails): FastifyReply {
  return reply.status(problem.status).type(contentType).send(JSON.stringify(problem));
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
};

function titleOf(status: number): string {
  return titles[status] ?? 'Client Error';
}
