const unparseable = '<unparseable URL>';

/** A scheme and `//`: what makes a string URL-shaped enough to show any of it. */
const schemePattern = /^[a-z][a-z0-9+.-]*:\/\//i;

/** A host, or a bracketed IPv6 address, with an optional numeric port: anything else may be a password. */
const hostAndPortPattern = /^(\[[\w:.%-]*\]|[\w.~%!$&'()*+,;=-]*)(:\d*)?$/;

/** What a user name may be shown as: no character that would end the userinfo, and no space. */
const userNamePattern = /^[^/?#@\s]*$/;

/** Parameter names that can hold a secret (pg honours `password`, `sslpassword` and `sslkey` in its URLs). */
const secretNamePattern = /pass|pwd|secret|token|key|auth|credential|signature/;

/**
 * The URL with every secret replaced by `***`, safe to print in a log line or an error message: the
 * userinfo but its user name, and the values of parameters named like `password`, `sslkey` or `token`.
 *
 * It works on the text as written, without parsing, so that URLs which do not parse (a password with
 * `@`, `:`, `/` or a space in it) are hidden too: nothing from the first `:` after `://` up to the last
 * `@` survives (nor the user name when there is no `:`, since it may be a token), and when a `?` or `#` comes before the last `@`
 * nothing after `://` survives at all. A string without a
 * scheme is shown as `<unparseable URL>`.
 */
export function redactUrl(url: string): string {
  const scheme = schemePattern.exec(url)?.[0];
  if (scheme === undefined) return unparseable;
  const rest = url.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  if (at !== -1) {
    const userinfo = rest.slice(0, at);
    // Past a `?` or `#` the `@` may be inside a parameter's value, and the rest of it look like a host.
    if (/[?#]/.test(userinfo)) return `${scheme}***`;
    const colon = userinfo.indexOf(':');
    const user = colon === -1 ? '' : userinfo.slice(0, colon);
    // A user name with a path, query or space character in it means the last `@` is past the userinfo.
    const shownUser = colon === -1 || !userNamePattern.test(user) ? '***' : `${user}:***`;
    const { authority, tail } = splitAuthority(rest.slice(at + 1));
    if (!hostAndPortPattern.test(authority)) return `${scheme}${shownUser}@***`;
    return `${scheme}${shownUser}@${authority}${redactParameters(tail)}`;
  }
  const { authority, tail } = splitAuthority(rest);
  // `user:secret/db` with the `@` forgotten reads as host `user`, port `secret`.
  const shown = hostAndPortPattern.test(authority) ? authority : '***';
  return `${scheme}${shown}${redactParameters(tail)}`;
}

function splitAuthority(text: string): { authority: string; tail: string } {
  const end = text.search(/[/?#]/);
  return end === -1
    ? { authority: text, tail: '' }
    : { authority: text.slice(0, end), tail: text.slice(end) };
}

/** Hides the values of secret parameters in a path, query and fragment. */
function redactParameters(tail: string): string {
  const question = tail.indexOf('?');
  if (question === -1) return tail;
  const parts = tail.slice(question + 1).split(/([&#])/);
  let masking = false;
  let shown = tail.slice(0, question + 1);
  for (let index = 0; index < parts.length; index += 2) {
    const separator = index === 0 ? '' : (parts[index - 1] ?? '');
    const part = parts[index] ?? '';
    const equals = part.indexOf('=');
    // A secret value with an unencoded `&` or `#` in it runs on into what looks like the next part.
    if (masking && (separator === '#' || equals === -1)) {
      shown += `${separator}***`;
    } else if (equals !== -1 && isSecretName(part.slice(0, equals))) {
      shown += `${separator}${part.slice(0, equals)}=***`;
      masking = true;
    } else {
      shown += `${separator}${part}`;
      masking = false;
    }
  }
  return shown;
}

function isSecretName(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name.replaceAll('+', ' '));
  } catch {
    // A malformed escape: judge the name as written.
  }
  return secretNamePattern.test(decoded.toLowerCase().replace(/[^a-z]/g, ''));
}
