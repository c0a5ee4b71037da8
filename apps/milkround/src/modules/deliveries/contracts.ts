import { defineMessage } from '@switchyard/bus';
import { z } from 'zod';
import { OrderLine } from '../orders/contracts.ts';

// Driver events come from the drivers' phones: they may arrive late, out of order or twice, so each
// carries the phone's sequence number for its delivery.
const driverEvent = { deliveryId: z.string(), sequence: z.number().int().positive(), at: z.string() };

export const VanLoaded = defineMessage('milkround.deliveries.VanLoaded', z.object(driverEvent));
export const DoorstepDelivered = defineMessage(
  'milkround.deliveries.DoorstepDelivered',
  z.object(driverEvent),
);
export const DeliveryMissed = defineMessage(
  'milkround.deliveries.DeliveryMissed',
  z.object({ ...driverEvent, reason: z.string() }),
);

/** The goods reached the doorstep: billing charges for these lines. */
export const DeliveryCompleted = defineMessage(
  'milkround.deliveries.DeliveryCompleted',
  z.object({
    deliveryId: z.string(),
    customerId: z.string(),
    deliveryDate: z.string().date(),
    lines: z.array(OrderLine).min(1),
  }),
);

export const DeliveryRunPlanned = defineMessage(
  'milkround.deliveries.DeliveryRunPlanned',
  z.object({
    runId: z.string(),
    deliveryDate: z.string().date(),
    deliveries: z.number().int(),
    rounds: z.number().int(),
  }),
);
