import { defineMessage } from '@switchyard/bus';
import { storable } from '@switchyard/host';
import { z } from 'zod';
import { OrderLine } from '../orders/contracts.ts';

// Driver events come from the drivers' phones: they may arrive late, out of order or twice, so each
// carries the phone's sequence number for its delivery.
const driverEvent = { deliveryId: storable.id(), sequence: storable.int(), at: storable.timestamp() };

export const VanLoaded = defineMessage('milkround.deliveries.VanLoaded', z.object(driverEvent));
export const DoorstepDelivered = defineMessage(
  'milkround.deliveries.DoorstepDelivered',
  z.object(driverEvent),
);
export const DeliveryMissed = defineMessage(
  'milkround.deliveries.DeliveryMissed',
  z.object({ ...driverEvent, reason: storable.text() }),
);

/** The goods reached the doorstep: billing charges for these lines. */
export const DeliveryCompleted = defineMessage(
  'milkround.deliveries.DeliveryCompleted',
  z.object({
    deliveryId: storable.id(),
    customerId: storable.id(),
    deliveryDate: storable.date(),
    lines: z.array(OrderLine).min(1),
  }),
);

export const DeliveryRunPlanned = defineMessage(
  'milkround.deliveries.DeliveryRunPlanned',
  z.object({
    runId: storable.id(),
    deliveryDate: storable.date(),
    deliveries: storable.int({ min: -2_147_483_648 }),
    rounds: storable.int({ min: -2_147_483_648 }),
  }),
);
