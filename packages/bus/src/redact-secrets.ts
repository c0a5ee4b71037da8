import { redactUrl } from './redact-url.ts';

/** Longest text a log field or an error message carries from outside our code. */
export const maxEchoedChars = 2_000;

/**
 * A scheme and `//`, then the URL up to the last `@` of the line, if any, and on to the next blank or
 * quote: a password with spaces or quotes in it still lies inside what is handed to `redactUrl`.
 */
const urlPattern = /(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*:\/\/(?:[^\n]*@)?[^\s"'`<>]*/gi;

/**
 * A `name=` or `name: ` as in libpq connection strings and driver messages; the name is judged apart
 * (`secretName`). It starts only where a run of name characters starts, so that a long run cannot make
 * the search quadratic.
 */
const settingPattern = /(?<![\w-])([\w-]+)"?\s*[=:]\s*/g;

/** A setting's value: quoted, or up to a blank or a separator. */
const valuePattern = /"[^"]*"|'[^']*'|[^\s,;&]+/y;

const secretName = /password|passwd|pwd|secret|token|api[_-]?key|sslkey/i;

/** A credential after `Bearer` or `Basic`: long, and not a plain lower-case word ("a bearer token"). */
const bearerPattern = /\b([Bb]earer|BEARER|[Bb]asic|BASIC)\s+(?=[\w~+/.=-]*[A-Z0-9~+/.=_-])[\w~+/.=-]{8,}/g;

/**
 * Free text (a driver's error message, a stack, a parser's complaint) with what can hold a secret
 * hidden: URLs through `redactUrl`, `password=` style settings and `Bearer` credentials.
 */
export function redactSecrets(text: string): string {
  const withoutUrls = text.replace(urlPattern, (url) => redactUrl(url));
  return redactSettings(withoutUrls).replace(bearerPattern, (_match, scheme: string) => `${scheme} ***`);
}

/** Hides the value of every secret-named setting; other values are searched on, as they may hold one. */
function redactSettings(text: string): string {
  let shown = '';
  let copied = 0;
  settingPattern.lastIndex = 0;
  for (let match = settingPattern.exec(text); match !== null; match = settingPattern.exec(text)) {
    if (!secretName.test(match[1] ?? '')) continue;
    const valueStart = match.index + match[0].length;
    valuePattern.lastIndex = valueStart;
    if (!valuePattern.test(text)) continue;
    shown += `${text.slice(copied, valueStart)}***`;
    copied = valuePattern.lastIndex;
    settingPattern.lastIndex = copied;
  }
  return shown + text.slice(copied);
}

/** `text` cut to `maxChars`, saying how much was left out, so that no one echoes a megabyte back. */
export function bounded(text: string, maxChars: number = maxEchoedChars): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}... (${text.length - maxChars} more characters)`;
}
