// A field renamed between releases still arrives under its old name for a while: in messages queued,
// outboxed or scheduled by the previous release, and in saga data it stored. Readers of such data map
// the old name to the new one here, so the code behind them sees the new names only (decision 0026).
import { z } from 'zod';

/** Old field name → new field name. */
export type FieldRenames = Readonly<Record<string, string>>;

/**
 * `value` with each old field name of `renames` moved to its new name. When both are present the new
 * one wins and the old one is dropped. Anything that is not a plain object is returned as it is.
 */
export function withCurrentNames(value: unknown, renames: FieldRenames): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const renamed: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [previous, current] of Object.entries(renames)) {
    if (!Object.hasOwn(renamed, previous)) continue;
    if (!Object.hasOwn(renamed, current)) renamed[current] = renamed[previous];
    delete renamed[previous];
  }
  return renamed;
}

/**
 * `schema`, also accepting an object written under the previous release's field names. Its output, and
 * so its TypeScript type and what a bus sends after validating, has the current names only.
 */
export function acceptingPreviousNames<S extends z.ZodType>(schema: S, renames: FieldRenames) {
  return z.preprocess((value: unknown) => withCurrentNames(value, renames), schema);
}
