/**
 * Field paths as differences name them: `lines[2].amount`, `customer.id`. Patterns add wildcards: `*`
 * matches one key or index (`lines[*].id`, `*.updatedAt`), and `**` any number of segments
 * (`**.updatedAt` ignores the field at every depth). A pattern names a whole path, never a prefix, so an
 * ignore of `lines` also ignores everything under it: a pattern matches a path or any of its ancestors.
 */
export type PathSegment = string | number;

export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** `lines[*].id` → ['lines', '*', 'id']; an index or `[*]` is one segment like a key. */
export function parsePattern(pattern: string): string[] {
  return pattern
    .replace(/\[([^\]]*)\]/g, '.$1')
    .split('.')
    .filter((part) => part !== '');
}

function segmentsMatch(
  pattern: readonly string[],
  path: readonly PathSegment[],
  p: number,
  s: number,
): boolean {
  if (p === pattern.length) return s === path.length;
  const head = pattern[p];
  if (head === '**') {
    for (let skip = s; skip <= path.length; skip++)
      if (segmentsMatch(pattern, path, p + 1, skip)) return true;
    return false;
  }
  if (s === path.length) return false;
  if (head !== '*' && head !== String(path[s])) return false;
  return segmentsMatch(pattern, path, p + 1, s + 1);
}

/** Whether `pattern` names exactly this path. */
export function pathMatches(pattern: string, path: readonly PathSegment[]): boolean {
  return segmentsMatch(parsePattern(pattern), path, 0, 0);
}

/** Whether `pattern` names this path or one of its ancestors (an ignored object ignores its fields). */
export function pathOrAncestorMatches(pattern: string, path: readonly PathSegment[]): boolean {
  const parsed = parsePattern(pattern);
  for (let length = path.length; length >= 0; length--) {
    if (segmentsMatch(parsed, path.slice(0, length), 0, 0)) return true;
  }
  return false;
}

/** Whether a rendered path (as in a Difference) matches a pattern or has an ancestor that does. */
export function renderedPathMatches(pattern: string, renderedPath: string): boolean {
  const segments = parsePattern(renderedPath).map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  return pathOrAncestorMatches(pattern, segments);
}
