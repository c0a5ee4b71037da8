import { utcMidnightOf } from '../../shared/zoned-time.ts';

/** The weekdays as orders name them, Monday first. */
export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

/** The weekday of a calendar date: the same in every zone, since it names a day, not an instant. */
export function weekdayOf(date: string): Weekday {
  // getUTCDay counts from Sunday; the list starts on Monday.
  return weekdays[(new Date(utcMidnightOf(date)).getUTCDay() + 6) % 7] as Weekday;
}
