/** Quotes an identifier (schema, table, channel) for use in a statement's text. */
export function quoteIdentifier(name: string): string {
  if (name.length === 0) throw new RangeError('An SQL identifier cannot be empty');
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema".name`, or the bare name (found through search_path) when there is no schema. */
export function qualified(schema: string | undefined, name: string): string {
  return schema ? `${quoteIdentifier(schema)}.${name}` : name;
}
