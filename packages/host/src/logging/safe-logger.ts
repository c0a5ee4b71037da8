import { bounded, redactSecrets, redactUrl } from '@switchyard/bus';
import pino, { type Logger, type LoggerOptions } from 'pino';

/** Log fields that hold credentials whenever they appear: request headers, and settings named so. */
const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'headers.authorization',
  'headers.cookie',
  'headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'token',
  '*.token',
  'operationsToken',
  '*.operationsToken',
];

/**
 * An error as pino's serializer shows it, with every string in it passed through `redactSecrets`: a
 * driver's message can echo its connection string, and Node's URL errors carry the whole URL as `input`.
 */
export function serializeErrorSafely(error: unknown): unknown {
  if (!(error instanceof Error)) return redactValue(error, 0);
  return redactValue(pino.stdSerializers.err(error), 0);
}

function redactValue(value: unknown, depth: number, key?: string): unknown {
  if (typeof value === 'string') {
    // ERR_INVALID_URL's `input` is the rejected URL itself, which may not even have a scheme.
    // Cut first: the search is linear, but a megabyte of it in every log line is not free.
    return key === 'input' ? redactUrl(value) : redactSecrets(bounded(value, 8_000));
  }
  if (typeof value !== 'object' || value === null || depth > 6) return value;
  if (Array.isArray(value)) return value.map((each) => redactValue(each, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([name, each]) => [name, redactValue(each, depth + 1, name)]),
  );
}

/** The request fields Fastify logs, with secret query parameters hidden from the URL. */
function serializeRequestSafely(request: {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}): Record<string, unknown> {
  return {
    method: request.method,
    url: request.url === undefined ? undefined : bounded(redactQuery(request.url), 1_000),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

function redactQuery(url: string): string {
  // redactUrl needs a scheme and an authority to tell the query apart; the request URL is a path.
  return redactUrl(`http://h${url.startsWith('/') ? '' : '/'}${url}`).replace(/^http:\/\/h/, '');
}

/** pino options that keep secrets out of the log; the host's own loggers are made with them. */
export const safeLoggerOptions: Pick<LoggerOptions, 'serializers' | 'redact'> = {
  serializers: { err: serializeErrorSafely, error: serializeErrorSafely, req: serializeRequestSafely },
  redact: { paths: redactedPaths, censor: '***' },
};

/** A pino logger at `level` that keeps secrets out of what it writes (see `safeLoggerOptions`). */
export function createSafeLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, ...safeLoggerOptions };
  return destination ? pino(options, destination) : pino(options);
}

/** `logger` (an application's own, say) with the same protection, as a child. */
export function withSafeLogging(logger: Logger): Logger {
  return logger.child({}, safeLoggerOptions);
}
