/**
 * How a place in a desired state and a value found there are written in error messages: the path as
 * a reader of the YAML would type it (`services.billing.canary.percent`, `slots[2]`), the value as
 * it appeared.
 */

const plainKey = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `['services', 'billing', 'live']` → `services.billing.live`; odd keys in brackets, indexes as `[2]`. */
export function pathText(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'string' && plainKey.test(key)) text += text ? `.${key}` : key;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text;
}

/** A value as a reader of the document would recognise it: `"purple"`, `150`, `a list`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return 'missing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}
