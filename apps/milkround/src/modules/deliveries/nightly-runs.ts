import { ConfigurationError, type ConsumeContext, captureOutgoing, type Scheduler } from '@switchyard/bus';
import type { SqlTransaction } from '@switchyard/postgres';
import { addDays, localDate, zonedInstant } from '../../shared/zoned-time.ts';
import type { Region } from '../memberships/contracts.ts';
import { NightlyRunDue, runEndpointName } from './delivery-messages.ts';

/** When a region's nightly run happens: a wall-clock time in its time zone, for the next local day. */
export interface NightlyRunTime {
  /** `HH:MM`, 24-hour: after the region's order cut-off for the next day. */
  readonly at: string;
  readonly timeZone: string;
}

/** The regions that run nightly, and when. */
export type NightlyRunTimes = Partial<Readonly<Record<Region, NightlyRunTime>>>;

/**
 * Each region plans the next day after its customers' cut-off, in its own time zone: a single run for
 * both would plan one region's deliveries while the other's customers could still change their orders.
 */
export const defaultNightlyRunTimes: NightlyRunTimes = {
  UK: { at: '22:30', timeZone: 'Europe/London' },
  US: { at: '22:30', timeZone: 'America/New_York' },
};

/** Refuses a time that is not HH:MM or a time zone Intl does not know, naming the region and the value. */
export function checkNightlyRunTimes(times: NightlyRunTimes): void {
  for (const [region, time] of Object.entries(times)) {
    if (!time) continue;
    try {
      nextNightlyRun(time, Date.now());
    } catch (error) {
      throw new ConfigurationError(
        `deliveriesModule nightlyRuns.${region} ({ at: "${time.at}", timeZone: "${time.timeZone}" }) is not a time and time zone: ${(error as Error).message}; give at as "HH:MM" and an IANA time zone such as "Europe/London"`,
      );
    }
  }
}

/** The one scheduler entry per region: booking the next night replaces it, so the chain never forks. */
export function nightlyRunEntryId(region: Region): string {
  return `milkround.deliveries.nightly-run.${region}`;
}

/** The next nightly run of a region strictly after `after`: when it fires and the date it plans. */
export function nextNightlyRun(time: NightlyRunTime, after: number): { dueAt: Date; deliveryDate: string } {
  const today = localDate(after, time.timeZone);
  const tonight = zonedInstant(today, time.at, time.timeZone, 'later');
  const runDate = tonight.getTime() > after ? today : addDays(today, 1);
  return { dueAt: zonedInstant(runDate, time.at, time.timeZone, 'later'), deliveryDate: addDays(runDate, 1) };
}

/** When the nightly run that plans `deliveryDate` is meant to fire. */
export function nightlyRunTimeFor(time: NightlyRunTime, deliveryDate: string): Date {
  return zonedInstant(addDays(deliveryDate, -1), time.at, time.timeZone, 'later');
}

/**
 * Books a region's next nightly run after `after` in the consumer's transaction, through the durable scheduler, so it
 * survives restarts and fires once across processes. The message is built by the context (addresses,
 * conversation, headers) and captured before it reaches the consumer's outgoing messages.
 */
export async function bookNextNightlyRun(
  context: ConsumeContext,
  tx: SqlTransaction,
  scheduler: Scheduler<SqlTransaction>,
  region: Region,
  time: NightlyRunTime,
  after: number,
): Promise<{ dueAt: Date; deliveryDate: string }> {
  const next = nextNightlyRun(time, after);
  const outgoing = await captureOutgoing(context, () =>
    context.send(`queue:${runEndpointName}`, NightlyRunDue, { region, deliveryDate: next.deliveryDate }),
  );
  await scheduler.schedule({ id: nightlyRunEntryId(region), dueAt: next.dueAt, outgoing }, tx);
  return next;
}
