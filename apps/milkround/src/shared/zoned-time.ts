// Calendar dates and wall-clock times in a time zone, with Intl only: Node carries the IANA time zone
// database, and Temporal is not in Node 24 without a flag. Cut-offs (orders) and nightly runs
// (deliveries) both follow each region's own clocks across clock changes; this is the one place that
// knows how. It holds no business rules, so every module may use it.

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const timePattern = /^([01]\d|2[0-3]):([0-5]\d)$/;
const dayMs = 86_400_000;

/** Midnight UTC of a `YYYY-MM-DD` date, in ms since the epoch. */
export function utcMidnightOf(date: string): number {
  const match = datePattern.exec(date);
  if (!match) throw new RangeError(`Date "${date}" must be YYYY-MM-DD`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

function isoDate(utcMidnight: number): string {
  return new Date(utcMidnight).toISOString().slice(0, 10);
}

/** `date` moved by `days` calendar days (negative for earlier). */
export function addDays(date: string, days: number): string {
  return isoDate(utcMidnightOf(date) + days * dayMs);
}

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

/** The wall clock in `timeZone` at `instant`, as the milliseconds of the same reading taken as UTC. */
function wallClockMs(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return Date.UTC(
    parts.year ?? 0,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
}

/** How far `timeZone`'s wall clock is ahead of UTC at `instant`, in ms (negative west of Greenwich). */
function offsetAt(instant: number, timeZone: string): number {
  return wallClockMs(instant, timeZone) - Math.floor(instant / 1000) * 1000;
}

/** The date (`YYYY-MM-DD`) it is in `timeZone` at `instant` (ms since the epoch). */
export function localDate(instant: number, timeZone: string): string {
  return isoDate(wallClockMs(instant, timeZone));
}

/**
 * The instant it is `time` (`HH:MM`) on `date` in `timeZone`. A time the clocks pass twice when they
 * go back is the first of the two. A time they skip when they go forward is refused with an error
 * naming it (`whenSkipped: 'refuse'`: a deadline must not move silently) or taken an hour later
 * (`'later'`: work planned at that time still happens that night).
 */
export function zonedInstant(
  date: string,
  time: string,
  timeZone: string,
  whenSkipped: 'refuse' | 'later',
): Date {
  const match = timePattern.exec(time);
  if (!match) throw new RangeError(`Time "${time}" must be HH:MM on a 24-hour clock, e.g. "22:30"`);
  const asUtc = utcMidnightOf(date) + Number(match[1]) * 3_600_000 + Number(match[2]) * 60_000;
  // Clocks change at most once a day: the offsets a day either side are the only ones that can apply.
  const before = offsetAt(asUtc - dayMs, timeZone);
  const after = offsetAt(asUtc + dayMs, timeZone);
  const [first] = [asUtc - before, asUtc - after]
    .filter((candidate) => offsetAt(candidate, timeZone) === asUtc - candidate)
    .sort((a, b) => a - b);
  if (first !== undefined) return new Date(first);
  if (whenSkipped === 'refuse') {
    throw new RangeError(
      `${time} does not exist on ${date} in ${timeZone} (the clocks skip it); choose another time`,
    );
  }
  return new Date(asUtc - before);
}
