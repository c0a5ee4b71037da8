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

/**
 * One case-insensitive search for anything `redactSecrets` acts on (a scheme's `://`, a secret-named
 * setting, a `Bearer` or `Basic` credential): text without any is written as it is, so a line with
 * nothing to hide costs one scan per string rather than the three searches of `redactSecrets`.
 */
const mayHoldSecret = /:\/\/|passw|pwd|secret|token|api[_-]?key|sslkey|bearer|basic/i;

/** Free text a caller logs (a message, a field) with what can hold a secret hidden. */
export function scrubLoggedText(text: string): string {
  // Cut before the search, as for errors: a megabyte of it in every log line is not free.
  return mayHoldSecret.test(text) ? redactSecrets(bounded(text, 8_000)) : text;
}

/**
 * The fields of one log call with every string scrubbed, in plain objects and arrays down to a few
 * levels. Errors, requests and other class instances are left to their serializers. The object is
 * copied only where something changed: a caller's own object is never altered.
 */
function scrubFields(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubLoggedText(value);
  if (typeof value !== 'object' || value === null || depth > 6) return value;
  if (Array.isArray(value)) {
    const scrubbed = value.map((each) => scrubFields(each, depth + 1));
    return scrubbed.some((each, index) => each !== value[index]) ? scrubbed : value;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [name, each] of Object.entries(value)) {
    const scrubbed = scrubFields(each, depth + 1);
    if (scrubbed === each) continue;
    copy ??= { ...(value as Record<string, unknown>) };
    copy[name] = scrubbed;
  }
  return copy ?? value;
}

function scrubLogObject(fields: Record<string, unknown>): Record<string, unknown> {
  return scrubFields(fields, 0) as Record<string, unknown>;
}

function scrubMessage(message: unknown): unknown {
  return typeof message === 'string' ? scrubLoggedText(message) : message;
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

/**
 * pino options that keep secrets out of the log; the host's own loggers are made with them. Named
 * fields are censored whole; the message and every other string field are searched (`scrubLoggedText`),
 * since a caller's own text (`could not reach postgres://app:pw@db`) is as likely to quote one.
 */
export const safeLoggerOptions: Pick<LoggerOptions, 'serializers' | 'redact' | 'formatters'> = {
  serializers: {
    err: serializeErrorSafely,
    error: serializeErrorSafely,
    req: serializeRequestSafely,
    msg: scrubMessage,
  },
  redact: { paths: redactedPaths, censor: '***' },
  formatters: { log: scrubLogObject },
};

/** A pino logger at `level` that keeps secrets out of what it writes (see `safeLoggerOptions`). */
export function createSafeLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, ...safeLoggerOptions };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * `logger` (an application's own, say) with the same protection, as a child. A child's log formatter
 * and message serializer replace its parent's, so the application's own run first, then the scrub.
 */
export function withSafeLogging(logger: Logger): Logger {
  const own = logger as unknown as Record<symbol, Record<string, unknown> | undefined>;
  const ownFormat = own[pino.symbols.formattersSym]?.log as
    | ((fields: Record<string, unknown>) => Record<string, unknown>)
    | undefined;
  const ownMessage = own[pino.symbols.serializersSym]?.msg as ((message: unknown) => unknown) | undefined;
  return logger.child(
    {},
    {
      ...safeLoggerOptions,
      serializers: {
        ...safeLoggerOptions.serializers,
        msg: ownMessage ? (message: unknown) => scrubMessage(ownMessage(message)) : scrubMessage,
      },
      formatters: {
        log: (fields: object) => {
          const record = fields as Record<string, unknown>;
          return scrubLogObject(ownFormat ? ownFormat(record) : record);
        },
      },
    },
  );
}
