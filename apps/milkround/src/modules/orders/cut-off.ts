import { addDays, localDate, zonedInstant } from '../../shared/zoned-time.ts';
import type { Region } from '../memberships/contracts.ts';

/** The zone whose clocks a region's cut-offs and calendar follow. */
export const zoneOf: Readonly<Record<Region, string>> = { UK: 'Europe/London', US: 'America/New_York' };

/** Orders for a date close at this time, local time, the day before. */
export const cutOffTime = '20:00';

/** The instant orders for `deliveryDate` close: 20:00 the day before, on the region's clocks (DST included). */
export function cutOffFor(deliveryDate: string, region: Region): Date {
  return zonedInstant(addDays(deliveryDate, -1), cutOffTime, zoneOf[region], 'refuse');
}

/** Whether orders for `deliveryDate` may still be placed, changed or cancelled at `now`. */
export function isOpen(deliveryDate: string, region: Region, now: Date): boolean {
  return now.getTime() < cutOffFor(deliveryDate, region).getTime();
}

/** Today's date on the region's clocks. */
export function regionToday(now: Date, region: Region): string {
  return localDate(now.getTime(), zoneOf[region]);
}

/** The earliest delivery date still open at `now`: tomorrow before 20:00 local, the day after from then on. */
export function firstOpenDeliveryDate(now: Date, region: Region): string {
  const tomorrow = addDays(regionToday(now, region), 1);
  return isOpen(tomorrow, region, now) ? tomorrow : addDays(tomorrow, 1);
}

/** Says when orders for `deliveryDate` closed, in the region's words and as an instant. */
export function describeCutOff(deliveryDate: string, region: Region): string {
  const closes = cutOffFor(deliveryDate, region);
  return `${cutOffTime} ${zoneOf[region]} on ${addDays(deliveryDate, -1)} (${closes.toISOString()})`;
}
