// Nightly runs happen at a wall-clock time in each region's own time zone, across clock changes, so
// local dates and times are worked out with Intl rather than with fixed offsets.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall-clock fields in `timeZone` at `instant` (ms since the epoch). */
function wallClock(instant: number, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** The date (`YYYY-MM-DD`) it is in `timeZone` at `instant`. */
export function localDate(instant: number, timeZone: string): string {
  const { year, month, day } = wallClock(instant, timeZone);
  return isoDate(Date.UTC(year, month - 1, day));
}

/** The date `days` after `date` (both `YYYY-MM-DD`). */
export function addDays(date: string, days: number): string {
  return isoDate(parseDate(date) + days * 86_400_000);
}

/**
 * The instant it is `time` (`HH:MM`) on `date` in `timeZone`. A time the clocks skip in spring comes
 * out an hour later; a time they pass twice in autumn is the first of the two.
 */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!match) throw new RangeError(`Time "${time}" must be HH:MM on a 24-hour clock, e.g. "22:30"`);
  const asUtc = parseDate(date) + Number(match[1]) * 3_600_000 + Number(match[2]) * 60_000;
  // Clocks change at most once a day: the offsets a day either side are the only ones that can apply.
  const before = offsetAt(asUtc - 86_400_000, timeZone);
  const after = offsetAt(asUtc + 86_400_000, timeZone);
  const matching = [asUtc - before, asUtc - after]
    .filter((candidate) => offsetAt(candidate, timeZone) === asUtc - candidate)
    .sort((a, b) => a - b);
  return new Date(matching[0] ?? asUtc - before);
}

/** How far `timeZone`'s wall clock is ahead of UTC at `instant`, in ms. */
function offsetAt(instant: number, timeZone: string): number {
  const wall = wallClock(instant, timeZone);
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return wallAsUtc - Math.floor(instant / 1000) * 1000;
}

function parseDate(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new RangeError(`Date "${date}" must be YYYY-MM-DD`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

function isoDate(utcMidnight: number): string {
  return new Date(utcMidnight).toISOString().slice(0, 10);
}
