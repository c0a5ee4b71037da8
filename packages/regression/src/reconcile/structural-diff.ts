import type { Difference } from './difference.ts';
import { formatPath, type PathSegment, pathMatches, pathOrAncestorMatches } from './field-path.ts';

/** Within `absolute` of each other, or within `relative` (a fraction of the larger magnitude); either passes. */
export interface NumericTolerance {
  readonly absolute?: number;
  readonly relative?: number;
}

/**
 * How an unordered array's elements are paired: by a key (elements with the same key are compared field
 * by field, so a changed amount shows as one difference) or, without a key, by deep equality (after
 * normalising and ignoring), so an element with no equal partner shows as missing on one side.
 */
export interface UnorderedRule {
  readonly key?: (element: unknown) => unknown;
}

export interface DiffOptions {
  /** Paths never compared; wildcards `*` (one segment) and `**` (any depth). An ignored path ignores its fields. */
  readonly ignore?: readonly string[];
  /** Numbers at these paths are equal within the tolerance. */
  readonly numeric?: Readonly<Record<string, NumericTolerance>>;
  /** Times (ISO-8601 strings or epoch milliseconds) at these paths are equal within this many milliseconds. */
  readonly time?: Readonly<Record<string, number>>;
  /** Arrays at these paths are compared as multisets: `true` pairs by deep equality, or give a key. */
  readonly unordered?: Readonly<Record<string, true | UnorderedRule>>;
  /** Applied to both sides' value at the path before comparing (e.g. trim, lower-case, round). */
  readonly normalise?: Readonly<Record<string, (value: unknown) => unknown>>;
  /** Set on every difference, for diffs of one message type. */
  readonly messageType?: string;
}

function find<T>(
  rules: Readonly<Record<string, T>> | undefined,
  path: readonly PathSegment[],
): T | undefined {
  if (rules === undefined) return undefined;
  for (const [pattern, rule] of Object.entries(rules)) if (pathMatches(pattern, path)) return rule;
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asEpochMs(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

function withinNumeric(a: number, b: number, tolerance: NumericTolerance): boolean {
  const gap = Math.abs(a - b);
  if (tolerance.absolute !== undefined && gap <= tolerance.absolute) return true;
  if (tolerance.relative !== undefined && gap <= tolerance.relative * Math.max(Math.abs(a), Math.abs(b)))
    return true;
  return gap === 0;
}

/**
 * The field-level differences between two JSON-like values. Key order never matters; array order matters
 * unless the path is declared unordered. A key present with `undefined` counts as absent, as in JSON.
 */
export function diff(baseline: unknown, candidate: unknown, options: DiffOptions = {}): Difference[] {
  const out: Difference[] = [];
  walk(baseline, candidate, [], options, out);
  return out;
}

function push(
  out: Difference[],
  options: DiffOptions,
  path: readonly PathSegment[],
  kind: Difference['kind'],
  baseline: unknown,
  candidate: unknown,
) {
  const difference: Difference = { path: formatPath(path), baseline, candidate, kind };
  out.push(
    options.messageType === undefined ? difference : { ...difference, messageType: options.messageType },
  );
}

function walk(
  rawBaseline: unknown,
  rawCandidate: unknown,
  path: PathSegment[],
  options: DiffOptions,
  out: Difference[],
): void {
  if (options.ignore?.some((pattern) => pathOrAncestorMatches(pattern, path))) return;
  const normalise = find(options.normalise, path);
  const baseline = normalise && rawBaseline !== undefined ? normalise(rawBaseline) : rawBaseline;
  const candidate = normalise && rawCandidate !== undefined ? normalise(rawCandidate) : rawCandidate;

  if (baseline === undefined && candidate === undefined) return;
  if (candidate === undefined) {
    push(out, options, path, 'missing-in-candidate', baseline, undefined);
    return;
  }
  if (baseline === undefined) {
    push(out, options, path, 'missing-in-baseline', undefined, candidate);
    return;
  }

  const timeTolerance = find(options.time, path);
  if (timeTolerance !== undefined) {
    const a = asEpochMs(baseline);
    const b = asEpochMs(candidate);
    if (a !== undefined && b !== undefined) {
      if (Math.abs(a - b) > timeTolerance) push(out, options, path, 'changed', baseline, candidate);
      return;
    }
  }
  if (typeof baseline === 'number' && typeof candidate === 'number') {
    const tolerance = find(options.numeric, path);
    const equal = tolerance ? withinNumeric(baseline, candidate, tolerance) : Object.is(baseline, candidate);
    if (!equal) push(out, options, path, 'changed', baseline, candidate);
    return;
  }
  if (Array.isArray(baseline) && Array.isArray(candidate)) {
    const rule = find(options.unordered, path);
    if (rule !== undefined) {
      walkUnordered(baseline, candidate, path, rule, options, out);
      return;
    }
    const length = Math.max(baseline.length, candidate.length);
    for (let index = 0; index < length; index++)
      walk(baseline[index], candidate[index], [...path, index], options, out);
    return;
  }
  if (isPlainObject(baseline) && isPlainObject(candidate)) {
    const keys = new Set([...Object.keys(baseline), ...Object.keys(candidate)]);
    for (const key of [...keys].sort()) walk(baseline[key], candidate[key], [...path, key], options, out);
    return;
  }
  if (!Object.is(baseline, candidate)) push(out, options, path, 'changed', baseline, candidate);
}

/**
 * Multiset comparison. Elements keep their own index in the path of a difference (the baseline's index,
 * or the candidate's for an element only the candidate has), so a reader finds them in the message.
 */
function walkUnordered(
  baseline: readonly unknown[],
  candidate: readonly unknown[],
  path: PathSegment[],
  rule: true | UnorderedRule,
  options: DiffOptions,
  out: Difference[],
): void {
  const key = rule === true ? undefined : rule.key;
  const unmatched = new Set(candidate.map((_, index) => index));
  for (const [index, element] of baseline.entries()) {
    let partner: number | undefined;
    for (const candidateIndex of unmatched) {
      const other = candidate[candidateIndex];
      const paired = key
        ? Object.is(key(element), key(other)) || JSON.stringify(key(element)) === JSON.stringify(key(other))
        : diff(element, other, { ...scoped(options, [...path, index]) }).length === 0;
      if (paired) {
        partner = candidateIndex;
        break;
      }
    }
    if (partner === undefined) {
      push(out, options, [...path, index], 'missing-in-candidate', element, undefined);
      continue;
    }
    unmatched.delete(partner);
    if (key) walk(element, candidate[partner], [...path, index], options, out);
  }
  for (const candidateIndex of unmatched) {
    push(
      out,
      options,
      [...path, candidateIndex],
      'missing-in-baseline',
      undefined,
      candidate[candidateIndex],
    );
  }
}

/**
 * The options as seen from inside one element, so a deep-equality pairing honours the ignores, tolerances
 * and normalisers declared for the element's fields (`lines[*].id`). Patterns are re-rooted by prefixing
 * the element's path: the element is diffed at the root, so each pattern is tried against the path too.
 */
function scoped(options: DiffOptions, elementPath: readonly PathSegment[]): DiffOptions {
  const prefix = formatPath(elementPath);
  const reroot = (pattern: string): string[] => {
    const out = [pattern];
    // A pattern under the element's path also applies to the element diffed at the root.
    const probe = `${pattern}`;
    for (const candidatePrefix of [prefix, prefix.replace(/\[\d+\]$/, '[*]')]) {
      if (probe.startsWith(`${candidatePrefix}.`)) out.push(probe.slice(candidatePrefix.length + 1));
      if (probe.startsWith(`${candidatePrefix}[`)) out.push(probe.slice(candidatePrefix.length));
    }
    return out;
  };
  const mapRules = <T>(rules: Readonly<Record<string, T>> | undefined) =>
    rules &&
    Object.fromEntries(Object.entries(rules).flatMap(([p, r]) => reroot(p).map((q) => [q, r] as const)));
  return {
    ignore: options.ignore?.flatMap(reroot),
    numeric: mapRules(options.numeric),
    time: mapRules(options.time),
    unordered: mapRules(options.unordered),
    normalise: mapRules(options.normalise),
  };
}
