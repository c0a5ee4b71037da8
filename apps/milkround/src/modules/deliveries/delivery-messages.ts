import { defineMessage } from '@switchyard/bus';
import { storable } from '@switchyard/host';
import { z } from 'zod';
import { Region } from '../memberships/contracts.ts';
import { OrderLine } from '../orders/contracts.ts';

// The module's own messages: between its routes, its endpoints, its scheduler entries and its saga.
// No other module sees them, so they stay out of contracts.ts.

/** Where the module's run consumers listen. */
export const runEndpointName = 'deliveries';
/** Where the per-delivery saga listens. */
export const sagaEndpointName = 'deliveries-saga';

/** Starts a run: records it and asks orders for the date's due orders. */
export const StartDeliveryRun = defineMessage(
  'milkround.deliveries.StartDeliveryRun',
  z.object({
    runId: storable.id(),
    deliveryDate: storable.date(),
    /** Plan only this region's customers; absent: every region. */
    region: Region.optional(),
    source: z.enum(['request', 'nightly']),
  }),
);

/** Fired by the durable scheduler each night per region: run tomorrow's (local) date, then book the next night. */
export const NightlyRunDue = defineMessage(
  'milkround.deliveries.NightlyRunDue',
  z.object({ region: Region, deliveryDate: storable.date() }),
);

/** Books the next nightly run of each configured region (at start, from the seed); booking twice replaces. */
export const ScheduleNightlyRuns = defineMessage(
  'milkround.deliveries.ScheduleNightlyRuns',
  z.object({ requestedAt: storable.timestamp() }),
);

/** A delivery now exists: starts its saga with what DeliveryCompleted will need. */
export const DeliveryPlanned = defineMessage(
  'milkround.deliveries.DeliveryPlanned',
  z.object({
    deliveryId: storable.id(),
    runId: storable.id(),
    customerId: storable.id(),
    deliveryDate: storable.date(),
    lines: z.array(OrderLine).min(1),
  }),
);
