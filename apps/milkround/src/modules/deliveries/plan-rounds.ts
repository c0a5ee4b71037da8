import type { Region } from '../memberships/contracts.ts';
import { postcodeArea } from './postcode-area.ts';

/** A round the date's plan already has, with how many stops it holds. */
export interface ExistingRound {
  readonly roundId: string;
  readonly region: Region;
  readonly area: string;
  readonly number: number;
  readonly stops: number;
}

/** A delivery a run just created, still to be put on a round. */
export interface NewStop {
  readonly deliveryId: string;
  readonly customerId: string;
  readonly region: Region;
  readonly postcode: string;
}

/** Where the new stops go: rounds to create, and each stop's round and place in it. */
export interface RoundPlan {
  readonly newRounds: readonly { roundId: string; region: Region; area: string; number: number }[];
  readonly assignments: readonly { deliveryId: string; roundId: string; stop: number }[];
}

/**
 * Puts new stops on rounds: each area's stops in postcode order, filling the area's last round up to
 * `maxStops` and opening rounds after it. Existing stops never move, so drivers' lists stay as printed.
 */
export function planRounds(
  existing: readonly ExistingRound[],
  stops: readonly NewStop[],
  maxStops: number,
  newId: () => string,
): RoundPlan {
  if (!Number.isInteger(maxStops) || maxStops < 1) {
    throw new RangeError(`maxStopsPerRound must be an integer ≥ 1, got ${maxStops}`);
  }
  const lastRound = new Map<string, { roundId: string; number: number; stops: number }>();
  for (const round of existing) {
    const key = areaKey(round.region, round.area);
    const known = lastRound.get(key);
    if (!known || round.number > known.number) lastRound.set(key, { ...round });
  }
  const newRounds: { roundId: string; region: Region; area: string; number: number }[] = [];
  const assignments: { deliveryId: string; roundId: string; stop: number }[] = [];
  const ordered = stops
    .map((stop) => ({ ...stop, area: postcodeArea(stop.region, stop.postcode) }))
    .sort(
      (a, b) =>
        compare(a.region, b.region) ||
        compare(a.area, b.area) ||
        compare(a.postcode, b.postcode) ||
        compare(a.customerId, b.customerId),
    );
  for (const stop of ordered) {
    const key = areaKey(stop.region, stop.area);
    let round = lastRound.get(key);
    if (!round || round.stops >= maxStops) {
      round = { roundId: newId(), number: (round?.number ?? 0) + 1, stops: 0 };
      lastRound.set(key, round);
      newRounds.push({ roundId: round.roundId, region: stop.region, area: stop.area, number: round.number });
    }
    round.stops += 1;
    assignments.push({ deliveryId: stop.deliveryId, roundId: round.roundId, stop: round.stops });
  }
  return { newRounds, assignments };
}

function areaKey(region: Region, area: string): string {
  return `${region}\u0000${area}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
