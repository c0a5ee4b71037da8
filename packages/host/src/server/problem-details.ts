import { bounded, type ErrorCode, SwitchyardError } from '@switchyard/bus';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hostProblems } from '../host-errors.ts';
import { type ProblemType, problemTypeUri } from './problem-types.ts';

/** RFC 9457 problem details: what every 4xx and 5xx response of the host carries. */
export interface ProblemDetails {
  /** The problem's kind as a URI made from its code; what a client branches on. */
  readonly type: string;
  /** The problem's code in the error catalogue (docs/errors.md). */
  readonly code: ErrorCode;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  /** For validation problems: each invalid field, by its path in the request. */
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
}

/**
 * A handler's way to answer with a problem. Raise it through a factory beside the module that owns the
 * problem (`throw unknownOrder(orderId)`), which builds it with `problem(kind, title, detail)`. One
 * made without a code is `HTTP_REQUEST_REFUSED` (4xx) or `HTTP_INTERNAL` (5xx): clients can tell it only
 * by its status.
 */
export class ProblemError extends SwitchyardError {
  readonly status: number;
  readonly title: string;
  readonly type: string;

  constructor(status: number, title: string, detail: string, options: { readonly code?: ErrorCode } = {}) {
    const code = options.code ?? (status >= 500 ? 'HTTP_INTERNAL' : 'HTTP_REQUEST_REFUSED');
    super(code, detail);
    this.status = status;
    this.title = title;
    this.type = problemTypeUri(code);
  }
}

/** A problem of a declared kind, with a title for people and a detail that says what to do. */
export function problem(kind: ProblemType, title: string, detail: string): ProblemError {
  return new ProblemError(kind.status, title, detail, { code: kind.code });
}

/** Most invalid fields a validation problem lists; a huge invalid body must not give a huge answer. */
export const maxListedErrors = 20;

/** Longest detail, field path or field message a problem carries. */
const maxDetailChars = 1_000;
const maxFieldChars = 200;

/** How a validation problem names the part of the request that failed, in a sentence. */
const partNames: Record<string, string> = {
  body: 'The request body is invalid',
  params: "The request's path parameters are invalid",
  querystring: "The request's query parameters are invalid",
  headers: "The request's headers are invalid",
};

/** A request that failed its route's schema; the handler never ran. */
export class RequestValidationError extends SwitchyardError {
  readonly errors: readonly { readonly path: string; readonly message: string }[];

  constructor(part: string, errors: readonly { readonly path: string; readonly message: string }[]) {
    const listed = errors.slice(0, maxListedErrors).map((each) => ({
      path: bounded(each.path, maxFieldChars),
      message: bounded(each.message, maxFieldChars),
    }));
    const more = errors.length > listed.length ? `; and ${errors.length - listed.length} more` : '';
    const fields = listed.map((each) => `${each.path}: ${each.message}`).join('; ');
    super(
      hostProblems.requestInvalid.code,
      `${partNames[part] ?? 'The request is invalid'}: ${bounded(fields, maxDetailChars)}${more}`,
    );
    this.errors = listed;
  }
}

const contentType = 'application/problem+json';

/** Makes every error and unknown route answer with problem+json; a 5xx hides its cause from the client and logs it. */
export function useProblemDetails(
  app: FastifyInstance,
  allowedMethodsFor: (path: string) => readonly string[] = () => [],
): void {
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = allowedMethodsFor(path);
    if (allowed.length > 0) {
      // The path is served, for other methods: 405 with Allow, as HTTP says, not a misleading 404.
      void reply.header('allow', allowed.join(', '));
      return send(reply, {
        ...codeOf(hostProblems.methodNotAllowed),
        title: 'Method Not Allowed',
        status: 405,
        detail: `${pathOf(request)} does not take ${bounded(request.method, 20)}; it takes ${allowed.join(', ')}`,
        instance: pathOf(request),
      });
    }
    return send(reply, {
      ...codeOf(hostProblems.routeNotFound),
      title: 'Not Found',
      status: 404,
      detail: `No route for ${bounded(request.method, 20)} ${pathOf(request)}`,
      instance: pathOf(request),
    });
  });
  app.setErrorHandler((error: FastifyError, request, reply) => send(reply, problemFor(error, request)));
}

/**
 * The request's path, cut short and without its query: an answer names what was asked for, but must not
 * echo a megabyte of URL, nor a token someone put in the query.
 */
export function pathOf(request: FastifyRequest): string {
  return bounded(request.url.split('?')[0] ?? '', maxFieldChars);
}

function problemFor(error: FastifyError, request: FastifyRequest): ProblemDetails {
  const cause = error.cause;
  if (error instanceof RequestValidationError || cause instanceof RequestValidationError) {
    const invalid = (error instanceof RequestValidationError ? error : cause) as RequestValidationError;
    return {
      ...codeOf(hostProblems.requestInvalid),
      title: 'Bad Request',
      status: 400,
      detail: invalid.message,
      instance: pathOf(request),
      errors: invalid.errors,
    };
  }
  if (error instanceof ProblemError) {
    // Our code wrote this detail for the client; it is shown, but cut short.
    return {
      type: error.type,
      code: error.code,
      title: error.title,
      status: error.status,
      detail: bounded(error.message, maxDetailChars),
      instance: pathOf(request),
    };
  }
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
  if (status >= 500) {
    request.log.error({ err: error }, 'Request failed');
    return {
      ...codeOf(hostProblems.internal),
      title: 'Internal Server Error',
      status,
      detail: `The server could not handle ${request.method} ${pathOf(request)}; the error is logged with request id ${request.id}`,
      instance: pathOf(request),
    };
  }
  // Any other 4xx (Fastify's own, or a library's) gets a text of ours: its message may quote the request,
  // or whatever a library put in it. The message is logged for whoever runs the service.
  request.log.info({ err: error }, 'Request refused');
  const known =
    fastifyProblems[error.code] ??
    (status === 400 && error instanceof SyntaxError ? hostProblems.bodyNotJson : undefined);
  return {
    type: problemTypeUri(known?.code ?? 'HTTP_REQUEST_REFUSED'),
    code: known?.code ?? 'HTTP_REQUEST_REFUSED',
    title: titleOf(status),
    status,
    detail: clientDetailOf(error, status),
    instance: pathOf(request),
  };
}

/** What we tell the client about a 4xx that no code of ours wrote a detail for. */
const fastifyDetails: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body is empty, but its content type says JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is larger than the server accepts',
  FST_ERR_CTP_INVALID_MEDIA_TYPE:
    'The content type of the request body is not supported; send application/json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'The request body is not as long as its Content-Length says',
};

/** The host's code for each of Fastify's 4xx that has one; any other is `HTTP_REQUEST_REFUSED`. */
const fastifyProblems: Record<string, ProblemType> = {
  FST_ERR_CTP_INVALID_JSON_BODY: hostProblems.bodyNotJson,
  FST_ERR_CTP_EMPTY_JSON_BODY: hostProblems.bodyNotJson,
  FST_ERR_CTP_BODY_TOO_LARGE: hostProblems.bodyTooLarge,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: hostProblems.mediaTypeUnsupported,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: hostProblems.bodyLengthMismatch,
};

/** The `type` and `code` of a problem of this kind. */
export function codeOf(kind: ProblemType): { readonly type: string; readonly code: ErrorCode } {
  return { type: kind.type, code: kind.code };
}

function clientDetailOf(error: FastifyError, status: number): string {
  const known = fastifyDetails[error.code];
  if (known !== undefined) return known;
  if (status === 400 && error instanceof SyntaxError)
    return fastifyDetails.FST_ERR_CTP_INVALID_JSON_BODY as string;
  const code = /^FST_ERR_[A-Z_]+$/.test(error.code ?? '') ? ` (${error.code})` : '';
  return `The request was refused: ${titleOf(status)}${code}`;
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
