import {
  ConfigurationError,
  type ConsumeContext,
  consumer,
  receiveEndpoint,
  transactional,
  transactionOf,
} from '@switchyard/bus';
import { defineModule, type ModuleDefinition } from '@switchyard/host';
import { loadMigrations, type SqlTransaction } from '@switchyard/postgres';
import { sagaEndpoint } from '@switchyard/saga';
import { recordFailuresOf, stringField } from '../../shared/command-failures.ts';
import type { Region } from '../memberships/contracts.ts';
import { DueOrdersListed } from '../orders/contracts.ts';
import { DeliveryMissed, DoorstepDelivered, VanLoaded } from './contracts.ts';
import {
  NightlyRunDue,
  runEndpointName,
  ScheduleNightlyRuns,
  StartDeliveryRun,
  sagaEndpointName,
} from './delivery-messages.ts';
import { DeliveryRepository } from './delivery-repository.ts';
import { type DriverEventName, deliveryRoutes, driverEventFailure, runFailure } from './delivery-routes.ts';
import { deliverySaga } from './delivery-saga.ts';
import {
  bookNextNightlyRun,
  checkNightlyRunTimes,
  defaultNightlyRunTimes,
  type NightlyRunTimes,
  nightlyRunTimeFor,
} from './nightly-runs.ts';
import { planDeliveries } from './plan-deliveries.ts';
import { startRun } from './start-run.ts';

const migrations = await loadMigrations(new URL('./migrations/', import.meta.url));

/** The driver events POST /deliveries/{deliveryId}/events accepts, by the name the delivery shows. */
const driverEvents = [
  [VanLoaded, 'loaded'],
  [DoorstepDelivered, 'delivered'],
  [DeliveryMissed, 'missed'],
] as const satisfies readonly (readonly [unknown, DriverEventName])[];

/** Settings of the deliveries module; every one has a production default. */
export interface DeliveriesModuleOptions {
  /** Stops a van takes on one round; an area with more gets several rounds (default 25). */
  readonly maxStopsPerRound?: number;
  /** When each region's nightly run happens (default 22:30 local in London and New York); `{}` runs none. */
  readonly nightlyRuns?: NightlyRunTimes;
  /** How long a driver event may wait for a delivery the run has not planned yet (default 36 hours). */
  readonly parkLimitMs?: number;
}

/**
 * Deliveries: the nightly run turns orders' due orders into deliveries on rounds, and a saga per
 * delivery follows the driver's events to the doorstep, telling billing once the goods are there.
 */
export function deliveriesModule(options: DeliveriesModuleOptions = {}): ModuleDefinition {
  const maxStopsPerRound = options.maxStopsPerRound ?? 25;
  if (!Number.isInteger(maxStopsPerRound) || maxStopsPerRound < 1) {
    throw new ConfigurationError(
      `deliveriesModule maxStopsPerRound must be an integer ≥ 1 (stops on one van's round), got ${maxStopsPerRound}`,
    );
  }
  const nightlyRuns = options.nightlyRuns ?? defaultNightlyRunTimes;
  checkNightlyRunTimes(nightlyRuns);
  const saga = deliverySaga({ parkLimitMs: options.parkLimitMs ?? 36 * 3_600_000 });
  return defineModule({
    name: 'deliveries',
    migrations,
    // The nightly tick books the next one: bound to a slot, it would keep that slot busy for ever.
    slotFollowsLive: [NightlyRunDue, ScheduleNightlyRuns],
    endpoints: (services) => {
      const repository = new DeliveryRepository(services.schema);
      /** Books the region's next night after now, and after the night that planned `plannedDate`, if given. */
      const bookNightly = async (
        context: ConsumeContext,
        tx: SqlTransaction,
        region: Region,
        plannedDate?: string,
      ) => {
        const time = nightlyRuns[region];
        if (!time) return;
        // A run that fired early by this process's clock (machines' clocks differ) books the night
        // after its own, never itself again.
        const after = Math.max(
          services.now(),
          plannedDate === undefined ? 0 : nightlyRunTimeFor(time, plannedDate).getTime(),
        );
        const next = await bookNextNightlyRun(context, tx, services.scheduler, region, time, after);
        context.logger.info(
          { region, dueAt: next.dueAt.toISOString(), deliveryDate: next.deliveryDate },
          'Next nightly delivery run booked',
        );
      };
      return [
        receiveEndpoint(runEndpointName, {
          middleware: [transactional(services.transactional)],
          consumers: [
            consumer(StartDeliveryRun, async (run, context) => {
              await startRun(
                run,
                context,
                transactionOf<SqlTransaction>(context),
                repository,
                services.now(),
              );
            }),
            consumer(DueOrdersListed, async (listed, context) => {
              await planDeliveries(listed, context, transactionOf<SqlTransaction>(context), repository, {
                now: services.now(),
                maxStopsPerRound,
              });
            }),
            consumer(NightlyRunDue, async (due, context) => {
              const tx = transactionOf<SqlTransaction>(context);
              await startRun(
                {
                  runId: context.envelope.messageId,
                  deliveryDate: due.deliveryDate,
                  region: due.region,
                  source: 'nightly',
                },
                context,
                tx,
                repository,
                services.now(),
              );
              await bookNightly(context, tx, due.region, due.deliveryDate);
            }),
            consumer(ScheduleNightlyRuns, async (_request, context) => {
              const tx = transactionOf<SqlTransaction>(context);
              for (const region of Object.keys(nightlyRuns) as Region[])
                await bookNightly(context, tx, region);
            }),
          ],
        }),
        sagaEndpoint(saga, { ...services.sagaEndpointOptions, endpointName: sagaEndpointName }),
        // POST /deliveries/runs and driver events answered 202: a run that cannot start shows as failed
        // on its date, a driver event the saga cannot take on its delivery.
        receiveEndpoint('deliveries-failures', {
          consumers: [
            ...driverEvents.map(([type, event]) =>
              recordFailuresOf(type, {
                sql: services.sql,
                schema: services.schema,
                kind: driverEventFailure,
                failingEndpoint: sagaEndpointName,
                subjectOf: (reported) => {
                  const deliveryId = stringField(reported, 'deliveryId');
                  const sequence = reported.sequence;
                  return deliveryId === undefined || !Number.isSafeInteger(sequence)
                    ? undefined
                    : { resourceId: deliveryId, commandId: `${event}#${String(sequence)}` };
                },
              }),
            ),
            recordFailuresOf(StartDeliveryRun, {
              sql: services.sql,
              schema: services.schema,
              kind: runFailure,
              failingEndpoint: runEndpointName,
              subjectOf: (run) => {
                const runId = stringField(run, 'runId');
                const deliveryDate = stringField(run, 'deliveryDate');
                return runId === undefined || deliveryDate === undefined
                  ? undefined
                  : { resourceId: deliveryDate, commandId: runId };
              },
            }),
          ],
        }),
      ];
    },
    routes: (services) => deliveryRoutes(services, new DeliveryRepository(services.schema), saga),
    // The nightly runs book each other, night after night; this books the first (and, at every start,
    // re-books the next one in its place, which is harmless). Deliveries themselves come from orders.
    start: async (services) => {
      await services.bus.send(`queue:${runEndpointName}`, ScheduleNightlyRuns, {
        requestedAt: new Date(services.now()).toISOString(),
      });
    },
  });
}
