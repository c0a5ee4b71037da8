/**
 * PostgreSQL text and jsonb cannot hold the NUL character, and a captured message that has one must not
 * fail its batch on every retry (the tap would stop for good): NUL becomes U+FFFD.
 */
export function storableText(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\ufffd') : text;
}

/** JSON for a jsonb column; an escaped NUL (not an escaped backslash followed by "u0000") becomes U+FFFD. */
export function storableJson(value: unknown): string | null {
  const text = JSON.stringify(value);
  if (text === undefined) return null;
  return text.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd');
}

/** The most characters of a malformed body the store keeps: enough to see what it was, bounded. */
export const maxMalformedBodyChars = 16_384;
