// Calendar dates and wall-clock times in a time zone, with Intl only: Node carries the IANA time zone
// database, and Temporal is not in Node 24 without a flag, so no library is needed for this.

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The weekdays as orders name them, Monday first. */
export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

function partsOf(date: string): { year: number; month: number; day: number } {
  const match = datePattern.exec(date);
  if (!match) throw new RangeError(`Date "${date}" is not of the form YYYY-MM-DD`);
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

/** `date` moved by `days` calendar days (negative for earlier). */
export function addDays(date: string, days: number): string {
  const { year, month, day } = partsOf(date);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** The weekday of a calendar date: the same in every zone, since it names a day, not an instant. */
export function weekdayOf(date: string): Weekday {
  const { year, month, day } = partsOf(date);
  // getUTCDay counts from Sunday; the list starts on Monday.
  return weekdays[(new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7] as Weekday;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The wall clock in `zone` at `instant`, as the milliseconds of the same reading taken as UTC. */
function wallClockMs(instant: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(new Date(instant))) {
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

/** How far `zone`'s wall clock is ahead of UTC at `instant` (whole seconds; negative west of Greenwich). */
function offsetMs(instant: number, zone: string): number {
  const wholeSecond = instant - (((instant % 1000) + 1000) % 1000);
  return wallClockMs(wholeSecond, zone) - wholeSecond;
}

/** The calendar date in `zone` at `instant`. */
export function localDateOf(instant: Date, zone: string): string {
  return new Date(wallClockMs(instant.getTime(), zone)).toISOString().slice(0, 10);
}

/**
 * The instant at which `zone`'s clocks read `hour:minute` on `date`. The zone's offset is read at a
 * first guess and again at the answer, since a change of offset (DST) may lie between them. A time that
 * does not exist that day (skipped when clocks go forward) is an error naming it.
 */
export function instantOfLocalTime(date: string, hour: number, minute: number, zone: string): Date {
  const { year, month, day } = partsOf(date);
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let instant = wall - offsetMs(wall, zone);
  const settled = wall - offsetMs(instant, zone);
  if (settled !== instant) instant = settled;
  if (wallClockMs(instant, zone) !== wall) {
    const time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
    throw new RangeError(
      `${time} does not exist on ${date} in ${zone} (the clocks skip it); choose another time`,
    );
  }
  return new Date(instant);
}
