import type { Difference } from './difference.ts';
import { type DiffOptions, diff } from './structural-diff.ts';

export interface ListDiffOptions<T> extends DiffOptions {
  /** Pairs a baseline message with a candidate one: messages with the same key are diffed field by field. */
  readonly key: (message: T) => unknown;
}

/**
 * Compares two lists of one message type, in any order: messages are paired by key, each pair diffed,
 * and a message with no partner is missing on the other side (path `[key]`). Two messages with one key on
 * a side pair in order with the other side's, so a count that differs shows as a missing message.
 */
export function diffMessageLists<T>(
  baseline: readonly T[],
  candidate: readonly T[],
  options: ListDiffOptions<T>,
): Difference[] {
  const { key, ...diffOptions } = options;
  const keyOf = (message: T) => JSON.stringify(key(message)) ?? 'undefined';
  const pending = new Map<string, T[]>();
  for (const message of candidate) {
    const k = keyOf(message);
    pending.set(k, [...(pending.get(k) ?? []), message]);
  }
  const out: Difference[] = [];
  const tag = (d: Difference): Difference =>
    options.messageType === undefined ? d : { ...d, messageType: options.messageType };
  for (const message of baseline) {
    const k = keyOf(message);
    const partners = pending.get(k);
    const partner = partners?.shift();
    if (partner === undefined) {
      out.push(
        tag({ path: `[${k}]`, baseline: message, candidate: undefined, kind: 'missing-in-candidate' }),
      );
      continue;
    }
    for (const d of diff(message, partner, diffOptions))
      out.push({ ...d, path: `[${k}]${d.path ? `.${d.path}` : ''}` });
  }
  for (const [k, rest] of pending) {
    for (const message of rest) {
      out.push(tag({ path: `[${k}]`, baseline: undefined, candidate: message, kind: 'missing-in-baseline' }));
    }
  }
  return out;
}

/** Count differences per message type: one difference per type whose count differs, path `count`. */
export function diffCounts(
  baseline: readonly { messageType: string }[],
  candidate: readonly { messageType: string }[],
): Difference[] {
  const count = (list: readonly { messageType: string }[]) => {
    const counts = new Map<string, number>();
    for (const m of list) counts.set(m.messageType, (counts.get(m.messageType) ?? 0) + 1);
    return counts;
  };
  const a = count(baseline);
  const b = count(candidate);
  const out: Difference[] = [];
  for (const type of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(type) ?? 0;
    const y = b.get(type) ?? 0;
    if (x !== y) out.push({ path: 'count', baseline: x, candidate: y, kind: 'changed', messageType: type });
  }
  return out;
}
