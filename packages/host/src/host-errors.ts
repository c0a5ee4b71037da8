import { problemType } from './server/problem-types.ts';

/**
 * The host's error codes: those of its own HTTP problems. Its configuration errors carry the bus's
 * `CONFIGURATION` (ConfigError is a ConfigurationError). Each code is listed in docs/errors.md.
 */
declare module '@switchyard/bus' {
  interface SwitchyardErrorCodes {
    HTTP_BODY_KEY_FORBIDDEN: '@switchyard/host';
    HTTP_BODY_LENGTH_MISMATCH: '@switchyard/host';
    HTTP_BODY_NOT_JSON: '@switchyard/host';
    HTTP_BODY_TOO_LARGE: '@switchyard/host';
    HTTP_HEADERS_TOO_LARGE: '@switchyard/host';
    HTTP_INTERNAL: '@switchyard/host';
    HTTP_MEDIA_TYPE_UNSUPPORTED: '@switchyard/host';
    HTTP_METHOD_NOT_ALLOWED: '@switchyard/host';
    HTTP_NOT_HTTP: '@switchyard/host';
    HTTP_NOT_READY: '@switchyard/host';
    HTTP_PATH_INVALID: '@switchyard/host';
    HTTP_PATH_PARAMETER_TOO_LONG: '@switchyard/host';
    HTTP_REQUEST_INVALID: '@switchyard/host';
    HTTP_REQUEST_REFUSED: '@switchyard/host';
    HTTP_REQUEST_TIMEOUT: '@switchyard/host';
    HTTP_ROUTE_NOT_FOUND: '@switchyard/host';
    HTTP_SLOT_AFFINITY_INVALID: '@switchyard/host';
    HTTP_UNAUTHORIZED: '@switchyard/host';
  }
}

/** The problems the host answers with itself, whatever the routes: every route may meet these. */
export const hostProblems = {
  /** A request part failed its route's schema; `errors` lists each field. */
  requestInvalid: problemType('HTTP_REQUEST_INVALID', 400),
  /** The body is not JSON, or is empty while its content type says JSON. */
  bodyNotJson: problemType('HTTP_BODY_NOT_JSON', 400),
  /** The body is valid JSON holding a `__proto__` (or `constructor.prototype`) key, refused for safety. */
  bodyKeyForbidden: problemType('HTTP_BODY_KEY_FORBIDDEN', 400),
  /** The body is not as long as its Content-Length says. */
  bodyLengthMismatch: problemType('HTTP_BODY_LENGTH_MISMATCH', 400),
  /** The request path is not valid percent-encoded UTF-8. */
  pathInvalid: problemType('HTTP_PATH_INVALID', 400),
  /** Node's HTTP parser could not read the request. */
  notHttp: problemType('HTTP_NOT_HTTP', 400),
  /** The slot affinity header or cookie does not name a slot. */
  slotAffinityInvalid: problemType('HTTP_SLOT_AFFINITY_INVALID', 400),
  /** An operational endpoint was asked without the operations token. */
  unauthorized: problemType('HTTP_UNAUTHORIZED', 401),
  /** No route answers this method and path. */
  routeNotFound: problemType('HTTP_ROUTE_NOT_FOUND', 404),
  /** The path is served, but not for this method; `Allow` lists those it is served for. */
  methodNotAllowed: problemType('HTTP_METHOD_NOT_ALLOWED', 405),
  /** The client did not send its request within the headers or request timeout. */
  requestTimeout: problemType('HTTP_REQUEST_TIMEOUT', 408),
  /** The body is larger than the server accepts. */
  bodyTooLarge: problemType('HTTP_BODY_TOO_LARGE', 413),
  /** A path parameter is longer than the server accepts. */
  pathParameterTooLong: problemType('HTTP_PATH_PARAMETER_TOO_LONG', 414),
  /** The body's content type is not one the server reads. */
  mediaTypeUnsupported: problemType('HTTP_MEDIA_TYPE_UNSUPPORTED', 415),
  /** The request headers are larger than the server accepts. */
  headersTooLarge: problemType('HTTP_HEADERS_TOO_LARGE', 431),
  /** The server failed; the cause is logged under the request id. */
  internal: problemType('HTTP_INTERNAL', 500),
  /** A readiness check failed. */
  notReady: problemType('HTTP_NOT_READY', 503),
} as const;
