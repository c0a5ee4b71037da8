/**
 * What the slots benchmark computes from its records: where and when each message was handled, and
 * when each switch was called, wrote the desired state and wrote the broker's policy.
 */
import { percentile } from '../support/measure.ts';

/** Every message of the slotted phase, indexed by sequence number; times in monotonic ms. */
export interface MessageRecords {
  readonly sentAt: Float64Array;
  /** NaN: never handled. */
  readonly handledAt: Float64Array;
  /** Index into the slot names; -1: never handled. */
  readonly slot: Int8Array;
  /** Messages handled more than once (each extra handling counts one). */
  readonly duplicates: number;
  /** Sequence numbers below this were sent while warming up and are not measured. */
  readonly firstMeasured: number;
}

/** One switch from `from` to `to` (slot indexes), with its moments in monotonic ms. */
export interface SwitchTimes {
  readonly from: number;
  readonly to: number;
  readonly calledAt: number;
  readonly desiredWrittenAt: number;
  /** The policy PUT naming `to` that this switch's pass sent, and when its answer came. */
  readonly policySentAt: number;
  readonly policyAnsweredAt: number;
  readonly doneAt: number;
}

/** How one switch took effect. */
export interface SwitchEffect {
  /** From the switchTo call to the handling, in the new slot, of the first message of the cut-over. */
  readonly fromCall: number;
  readonly fromDesiredWrite: number;
  readonly fromPolicySent: number;
  readonly fromPolicyAnswered: number;
  /** From the call to the send of that first message: where the broker's routing changed. */
  readonly cutSentAfterCall: number;
  /** How long switchTo took. */
  readonly callDuration: number;
  /** Messages sent after the call that went to the old slot: before the cut, as expected. */
  readonly oldAfterCall: number;
  /** Messages sent after the call, before the cut, that went to the new slot: a cut that is not clean. */
  readonly mixed: number;
}

/**
 * For each switch, the cut-over: the first message, sent after the call, from which on every message
 * sent until the next switch went to the new slot. A switch whose window holds no message is skipped.
 */
export function switchEffects(records: MessageRecords, switches: readonly SwitchTimes[]): SwitchEffect[] {
  const effects: SwitchEffect[] = [];
  const firstSentAtOrAfter = (time: number) => {
    let low = 0;
    let high = records.sentAt.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((records.sentAt[middle] ?? 0) < time) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  for (const [index, each] of switches.entries()) {
    const first = firstSentAtOrAfter(each.calledAt);
    const end = firstSentAtOrAfter(switches[index + 1]?.calledAt ?? Number.POSITIVE_INFINITY);
    let lastOld = -1;
    let oldAfterCall = 0;
    for (let seq = first; seq < end; seq++) {
      if (records.slot[seq] === each.from) {
        lastOld = seq;
        oldAfterCall += 1;
      }
    }
    const cut = lastOld === -1 ? first : lastOld + 1;
    if (cut >= end) continue;
    let mixed = 0;
    for (let seq = first; seq < cut; seq++) if (records.slot[seq] === each.to) mixed += 1;
    const landed = records.handledAt[cut] ?? Number.NaN;
    effects.push({
      fromCall: landed - each.calledAt,
      fromDesiredWrite: landed - each.desiredWrittenAt,
      fromPolicySent: landed - each.policySentAt,
      fromPolicyAnswered: landed - each.policyAnsweredAt,
      cutSentAfterCall: (records.sentAt[cut] ?? Number.NaN) - each.calledAt,
      callDuration: each.doneAt - each.calledAt,
      oldAfterCall,
      mixed,
    });
  }
  return effects;
}

/** Send → handle latencies of the measured messages, split by how near a switch they were sent. */
export interface LatencySplit {
  /** Sent more than `marginMs` away from every switch (from its call to its return). */
  readonly steady: number[];
  /** Sent within `marginMs` of a switch's call. */
  readonly nearSwitch: number[];
}

export function splitLatencies(
  records: MessageRecords,
  switches: readonly SwitchTimes[],
  marginMs: number,
): LatencySplit {
  const steady: number[] = [];
  const nearSwitch: number[] = [];
  let next = 0; // the first switch that has not ended more than marginMs before this send
  for (let seq = records.firstMeasured; seq < records.sentAt.length; seq++) {
    const sentAt = records.sentAt[seq] ?? 0;
    const latency = (records.handledAt[seq] ?? Number.NaN) - sentAt;
    if (Number.isNaN(latency)) continue;
    while (next < switches.length && (switches[next]?.doneAt ?? 0) + marginMs < sentAt) next += 1;
    const near = switches.slice(Math.max(0, next - 1), next + 2);
    if (near.some((each) => Math.abs(sentAt - each.calledAt) <= marginMs)) nearSwitch.push(latency);
    else if (!near.some((each) => sentAt >= each.calledAt - marginMs && sentAt <= each.doneAt + marginMs))
      steady.push(latency);
  }
  return { steady, nearSwitch };
}

/** p50 and p99 of `values`. */
export function p50p99(values: readonly number[]): { p50: number; p99: number } {
  return { p50: percentile(values, 50), p99: percentile(values, 99) };
}
