import { bounded, redactSecrets } from '@switchyard/bus';
import type { DestinationStream } from 'pino';

/** Where readable lines are written (a terminal, usually). */
export interface TextOutput {
  write(text: string): unknown;
}

/** pino's numeric levels and the words shown for them. */
const levelNames: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

const levelColors: Readonly<Record<number, string>> = {
  10: '90',
  20: '90',
  30: '32',
  40: '33',
  50: '31',
  60: '31',
};

/** Fields every line has or that are shown elsewhere on it. */
const shownApart = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'err', 'banner']);

/** Requests started and not yet answered, remembered so that the answer's line can name them. */
const maxRequestsInFlight = 1_000;

/**
 * A pino destination that turns each JSON line into a short readable one: `12:00:01 INFO  message
 * key=value`, one line a request (`GET /orders/:id 200 4ms`, from Fastify's start and end lines), the
 * start-up banner on a few lines, and an error's stack indented below. It reads what pino wrote, so
 * every field is already redacted by the safe logger; each is passed through `redactSecrets` once more.
 */
export function createPrettyLogStream(
  output: TextOutput,
  options: { color?: boolean } = {},
): DestinationStream {
  const paint = options.color
    ? (code: string, text: string) => `\u001b[${code}m${text}\u001b[0m`
    : (_: string, text: string) => text;
  const requests = new Map<string, { method: string; path: string }>();

  function format(record: Record<string, unknown>): string | undefined {
    const level = typeof record.level === 'number' ? record.level : 30;
    const label = paint(levelColors[level] ?? '0', (levelNames[level] ?? String(level)).padEnd(5));
    const prefix = `${clock(record.time)} ${label} `;
    const request = requestLine(record, requests, paint);
    if (request === null) return undefined;
    if (request !== undefined) return `${prefix}${request}`;
    const message = safe(typeof record.msg === 'string' ? record.msg : '');
    const fields = Object.entries(record).filter(([key]) => !shownApart.has(key));
    if (record.banner === true) {
      const width = Math.max(...fields.map(([key]) => key.length));
      const lines = fields.map(([key, value]) => `    ${key.padEnd(width)}  ${safe(plain(value))}`);
      return [`${prefix}${paint('1', message)}`, ...lines].join('\n');
    }
    const extra = fields.map(([key, value]) => ` ${paint('90', `${key}=`)}${safe(quoted(value))}`).join('');
    return `${prefix}${message}${extra}${errorLines(record.err)}`;
  }

  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) {
        if (line === '') continue;
        let text: string | undefined;
        try {
          text = format(JSON.parse(line) as Record<string, unknown>);
        } catch {
          text = safe(line); // not pino's JSON: shown as it came, but redacted
        }
        if (text !== undefined) output.write(`${text}\n`);
      }
    },
  };
}

/**
 * Fastify logs a request twice, when it arrives (with its method and URL) and when it is answered (with
 * the status and time): the first is kept, the second shown as one line. `null`: nothing to show yet;
 * `undefined`: not a request line.
 */
function requestLine(
  record: Record<string, unknown>,
  requests: Map<string, { method: string; path: string }>,
  paint: (code: string, text: string) => string,
): string | null | undefined {
  const id =
    typeof record.reqId === 'string' || typeof record.reqId === 'number' ? String(record.reqId) : undefined;
  if (id === undefined) return undefined;
  if (record.msg === 'incoming request' && isObject(record.req)) {
    if (requests.size >= maxRequestsInFlight) requests.delete(requests.keys().next().value as string);
    const url = typeof record.req.url === 'string' ? record.req.url : '';
    requests.set(id, { method: String(record.req.method ?? ''), path: url.replace(/[?#].*$/, '') });
    return null;
  }
  if (record.msg === 'request completed' && isObject(record.res)) {
    const started = requests.get(id);
    requests.delete(id);
    const status = Number(record.res.statusCode);
    const color = status >= 500 ? '31' : status >= 400 ? '33' : '32';
    const ms = typeof record.responseTime === 'number' ? `${Math.round(record.responseTime)}ms` : '';
    const what = safe(started ? `${started.method} ${started.path}` : `request ${id}`);
    return `${what} ${paint(color, String(status))} ${ms}`.trimEnd();
  }
  return undefined;
}

function errorLines(error: unknown): string {
  if (!isObject(error)) return '';
  const stack =
    typeof error.stack === 'string'
      ? error.stack
      : `${String(error.type ?? 'Error')}: ${String(error.message ?? '')}`;
  return `\n${safe(stack)
    .split('\n')
    .map((line) => `    ${line.trim()}`)
    .join('\n')}`;
}

/**
 * Text of a field as shown: redacted again, as free text (a message, a note) could still quote a URL with
 * its password, and before any colour, whose escape codes would hide the end of a URL from the search.
 */
function safe(text: string): string {
  return redactSecrets(bounded(text, 8_000));
}

function clock(time: unknown): string {
  const date = typeof time === 'number' ? new Date(time) : new Date();
  return date.toTimeString().slice(0, 8);
}

function plain(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(', ');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function quoted(value: unknown): string {
  if (Array.isArray(value) && value.every((each) => typeof each === 'string' && /^[^\s",=]+$/.test(each)))
    return value.join(',');
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
