import { isStorableText } from '../schemas/storable.ts';

/** A field of a request that no store can hold, by its path (`params.customerId`, `body.lines.0.sku`). */
export interface UnstorableField {
  readonly path: string;
  readonly message: string;
}

/** Deeper than any request body a route declares; past it the walk stops rather than recurse forever. */
const maxDepth = 32;

/**
 * Every string in a request part (its keys too) that holds a NUL character or an unpaired surrogate.
 * Checked for every route before its own schema, so no route can forget: PostgreSQL refuses such text
 * (22021, 22P05), and an unpaired surrogate breaks whatever encodes it next (a header, a URL).
 */
export function unstorableFields(data: unknown, part: string): UnstorableField[] {
  const found: UnstorableField[] = [];
  const visit = (value: unknown, path: string, depth: number) => {
    if (typeof value === 'string') {
      if (!isStorableText(value))
        found.push({ path, message: 'must be text without NUL characters or unpaired surrogates' });
      return;
    }
    if (value === null || typeof value !== 'object' || depth > maxDepth) return;
    for (const [key, each] of Object.entries(value)) {
      const at = `${path}.${isStorableText(key) ? key : '(a key that is not text)'}`;
      if (!isStorableText(key))
        found.push({
          path: at,
          message: 'field names must be text without NUL characters or unpaired surrogates',
        });
      visit(each, at, depth + 1);
    }
  };
  visit(data, part, 0);
  return found;
}
