import { createHash } from 'node:crypto';

/**
 * A digest of a message's types and content, for the inbox to tell a redelivered copy from another
 * message that reused its id. Object keys are sorted first, because a sender that builds the envelope
 * again for a retry (new sent time, keys in another order) still sends the same message.
 */
export function messageFingerprint(messageTypes: readonly string[], message: unknown): string {
  return contentDigest([messageTypes, message]);
}

/**
 * A SHA-256 (base64url) of a JSON-able value in a canonical form: object keys sorted at every depth,
 * so two values that mean the same give the same digest. For idempotency keys: compare the digest
 * stored with a key to that of a request sent again under it.
 */
export function contentDigest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url');
}

/** JSON with object keys in sorted order at every depth; other values as JSON.stringify writes them. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return canonicalJson(withJson.toJSON());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const parts: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const each = (value as Record<string, unknown>)[key];
    if (each === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${canonicalJson(each)}`);
  }
  return `{${parts.join(',')}}`;
}
