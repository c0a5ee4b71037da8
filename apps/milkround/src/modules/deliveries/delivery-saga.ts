import { defineSaga, event } from '@switchyard/saga';
import type { OrderLine } from '../orders/contracts.ts';
import { DeliveryCompleted, DeliveryMissed, DoorstepDelivered, VanLoaded } from './contracts.ts';
import { DeliveryPlanned } from './delivery-messages.ts';

/** The saga type's name, stored with each instance. */
export const deliverySagaName = 'milkround.deliveries.Delivery';

/** What a delivery saga keeps: enough to build DeliveryCompleted without reading any table. */
export interface DeliveryData {
  deliveryId: string;
  runId: string;
  customerId: string;
  deliveryDate: string;
  lines: OrderLine[];
  /** The phone's times, as it reported them. */
  loadedAt: string | null;
  deliveredAt: string | null;
  missedAt: string | null;
  missedReason: string | null;
  /** How many drops of this delivery were reported missed (a missed stop may be tried again). */
  attemptsMissed: number;
}

export interface DeliverySagaOptions {
  /** How long a driver event may wait for a delivery the run has not planned yet before it goes to the error queue. */
  readonly parkLimitMs: number;
  /**
   * Apply driver events in the phone's sequence order (default true). Only the saga checker's
   * counterexample turns this off, to show what goes wrong without it.
   */
  readonly driverEventsInSequence?: boolean;
}

/**
 * One delivery from plan to doorstep: Planned → Loaded → Delivered (DeliveryCompleted, once) or Missed.
 *
 * Driver events come from phones and may arrive late, twice or out of order, so each carries the
 * phone's sequence number for its delivery (one stream, "driver", shared by all three events): a number
 * already applied is dropped (a resent "delivered" with a new message id changes nothing), and a number
 * past a gap waits for the missing one ("delivered" #2 before "loaded" #1 waits for #1), for at most
 * `parkLimitMs`. Because the
 * sequence orders every driver event, each state takes each of them, and none is ever unexpected:
 * deferring would only hold messages the sequence already put in order. Events that beat the run to
 * their delivery are parked until the plan arrives, for at most `parkLimitMs`.
 */
export function deliverySaga(options: DeliverySagaOptions) {
  const sequence =
    options.driverEventsInSequence === false
      ? {}
      : {
          sequence: {
            stream: 'driver',
            number: (message: { sequence: number }) => message.sequence,
            // A "delivered" whose "loaded" never comes must not wait unseen forever: after the same
            // limit as a parked event it goes to the error queue, where someone can look at it.
            gapLimitMs: options.parkLimitMs,
          },
        };
  const driverEvent = {
    byId: (message: { deliveryId: string }) => message.deliveryId,
    whenMissing: 'park' as const,
    parkLimitMs: options.parkLimitMs,
    ...sequence,
  };
  return defineSaga({
    name: deliverySagaName,
    states: ['Planned', 'Loaded', 'Delivered', 'Missed'],
    // Every state waits only for the drivers' phones (outside the conversation, so for the live slot):
    // an instance does not keep the blue/green slot it started in from draining.
    settledStates: ['Planned', 'Loaded', 'Delivered', 'Missed'],
    initialData: (): DeliveryData => ({
      deliveryId: '',
      runId: '',
      customerId: '',
      deliveryDate: '',
      lines: [],
      loadedAt: null,
      deliveredAt: null,
      missedAt: null,
      missedReason: null,
      attemptsMissed: 0,
    }),
    events: {
      // Only a delivery's first run sends it; should a copy with a new id come, the plan stands.
      planned: event(DeliveryPlanned, { byId: (message) => message.deliveryId, onUnexpected: 'ignore' }),
      loaded: event(VanLoaded, driverEvent),
      delivered: event(DoorstepDelivered, driverEvent),
      missed: event(DeliveryMissed, driverEvent),
    },
    behaviour: ({ initially, during, when }) => [
      initially(
        when('planned', (saga) =>
          saga
            .update(({ data, message }) => {
              data.deliveryId = message.deliveryId;
              data.runId = message.runId;
              data.customerId = message.customerId;
              data.deliveryDate = message.deliveryDate;
              data.lines = message.lines;
            })
            .transitionTo('Planned'),
        ),
      ),
      // A missed stop may be loaded again for a second attempt; a rescan of a loaded van changes nothing.
      during(
        ['Planned', 'Loaded', 'Missed'],
        when('loaded', (saga) =>
          saga
            .update(({ data, message }) => {
              data.loadedAt = message.at;
            })
            .transitionTo('Loaded'),
        ),
      ),
      // A driver who forgot to scan the van, or came back to a missed door, still delivered: bill it.
      during(
        ['Planned', 'Loaded', 'Missed'],
        when('delivered', (saga) =>
          saga
            .update(({ data, message }) => {
              data.deliveredAt = message.at;
            })
            // Instances planned by the release before decision 0026 keep `unitPricePence` in their lines:
            // DeliveryCompleted's contract reads that name, and the bus sends what the contract outputs.
            .publish(DeliveryCompleted, ({ data, sagaId }) => ({
              deliveryId: sagaId,
              customerId: data.customerId,
              deliveryDate: data.deliveryDate,
              lines: data.lines,
            }))
            .transitionTo('Delivered'),
        ),
        when('missed', (saga) =>
          saga
            .update(({ data, message }) => {
              data.missedAt = message.at;
              data.missedReason = message.reason;
              data.attemptsMissed += 1;
            })
            .transitionTo('Missed'),
        ),
      ),
      // The goods are on the doorstep and billed: later reports (a late scan, a mistaken "missed") are
      // kept in the timeline and change nothing, so DeliveryCompleted is published once.
      during(
        'Delivered',
        when('loaded', (saga) => saga),
        when('delivered', (saga) => saga),
        when('missed', (saga) => saga),
      ),
    ],
  });
}

/** The delivery saga's definition type. */
export type DeliverySaga = ReturnType<typeof deliverySaga>;
