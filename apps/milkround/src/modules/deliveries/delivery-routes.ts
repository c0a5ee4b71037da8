import { uuidv7 } from '@switchyard/bus';
import { type ModuleServices, type RouteDefinition, route, storable } from '@switchyard/host';
import { SagaInspector } from '@switchyard/saga';
import { z } from 'zod';
import { CommandFailed, failuresOf, failureView } from '../../shared/command-failures.ts';
import { Currency, currencyOf, Region } from '../memberships/contracts.ts';
import { OrderLine } from '../orders/contracts.ts';
import { DeliveryMissed, DoorstepDelivered, VanLoaded } from './contracts.ts';
import { runEndpointName, StartDeliveryRun } from './delivery-messages.ts';
import { deliveryProblems, noRunForDate, unknownDelivery } from './delivery-problems.ts';
import type { DeliveryRepository, RunRecord } from './delivery-repository.ts';
import { type DeliverySaga, deliverySagaName } from './delivery-saga.ts';

const tags = ['deliveries'];

/** A delivery's saga has not started while its plan message is on its way: the delivery shows as planning. */
const planningStatus = 'Planning';
const DeliveryStatus = z.enum([planningStatus, 'Planned', 'Loaded', 'Delivered', 'Missed']);
type DeliveryStatus = z.infer<typeof DeliveryStatus>;

const RunStarted = z.object({ runId: z.string(), deliveryDate: z.string(), region: Region.optional() });

const RunView = z.object({
  runId: z.string(),
  /** Planning until the date's due orders are planned into rounds. */
  status: z.enum(['planning', 'planned']),
  regions: z.array(Region).nullable(),
  source: z.enum(['request', 'nightly', 'orders']),
  requestedAt: z.string(),
  plannedAt: z.string().nullable(),
  deliveries: z.number().int().nullable(),
  rounds: z.number().int().nullable(),
});

/** A run that was accepted but could not start: why, and where its message waits. */
const FailedRun = CommandFailed.extend({ runId: z.string() });

/** The kind of failure recorded for a run that could not start. */
export const runFailure = 'run';

/** The kind of failure recorded for a driver event its delivery could not take (command id `event#sequence`). */
export const driverEventFailure = 'driver-event';

const DriverEventName = z.enum(['loaded', 'delivered', 'missed']);
export type DriverEventName = z.infer<typeof DriverEventName>;

/** A driver event that was accepted but that the delivery could not take: why, and where it waits. */
const FailedDriverEvent = CommandFailed.extend({ event: DriverEventName, sequence: z.number().int() });

const DatePlan = z.object({
  deliveryDate: z.string(),
  /** Runs that started, then runs that could not (status failed). */
  runs: z.array(z.union([RunView, FailedRun])),
  rounds: z.array(
    z.object({
      roundId: z.string(),
      name: z.string(),
      region: Region,
      area: z.string(),
      number: z.number().int(),
      deliveries: z.array(
        z.object({
          deliveryId: z.string(),
          stop: z.number().int(),
          customerId: z.string(),
          postcode: z.string(),
          lines: z.array(OrderLine),
          /** The ISO 4217 currency of the lines' prices, from the round's region. */
          currency: Currency,
          status: DeliveryStatus,
        }),
      ),
    }),
  ),
});

const DeliveryView = z.object({
  deliveryId: z.string(),
  deliveryDate: z.string(),
  customerId: z.string(),
  region: Region,
  postcode: z.string(),
  /** Prices in minor units of `currency`, with the member's discount applied. */
  lines: z.array(OrderLine),
  /** The ISO 4217 currency of the prices: GBP for UK customers, USD for US ones. */
  currency: Currency,
  orderIds: z.array(z.string()),
  runId: z.string(),
  round: z.object({ roundId: z.string(), name: z.string(), stop: z.number().int() }).nullable(),
  status: DeliveryStatus,
  /** The last driver event applied, by the phone's sequence number (0: none yet). */
  lastSequence: z.number().int(),
  /** Driver events received but not applied yet: waiting for an earlier sequence number. */
  waiting: z.array(z.object({ event: z.string(), reason: z.string(), heldAt: z.string() })),
  timeline: z.array(
    z.object({ event: z.string(), from: z.string().nullable(), to: z.string(), at: z.string() }),
  ),
  /** Driver events accepted (202) that the delivery could not take, latest first: none, normally. */
  failedEvents: z.array(FailedDriverEvent),
});

const DriverEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('loaded'),
    sequence: storable.int(),
    at: storable.timestamp(),
  }),
  z.object({
    type: z.literal('delivered'),
    sequence: storable.int(),
    at: storable.timestamp(),
  }),
  z.object({
    type: z.literal('missed'),
    sequence: storable.int(),
    at: storable.timestamp(),
    reason: storable.text({ max: 1_000 }),
  }),
]);

/** The module's HTTP routes: start a run, read a date's plan and a delivery, take drivers' events. */
export function deliveryRoutes(
  services: ModuleServices,
  repository: DeliveryRepository,
  saga: DeliverySaga,
): RouteDefinition[] {
  const inspector = new SagaInspector(saga, { store: services.sagaStore, transactions: services.sql });

  const statusOf = async (deliveryIds: readonly string[]): Promise<Map<string, DeliveryStatus>> =>
    services.sql.transaction(async (tx) => {
      const statuses = new Map<string, DeliveryStatus>();
      for (const deliveryId of deliveryIds) {
        const record = await services.sagaStore.load(tx, deliverySagaName, deliveryId);
        statuses.set(deliveryId, statusFrom(record?.state));
      }
      return statuses;
    });

  return [
    route({
      method: 'POST',
      url: '/deliveries/runs',
      summary: "Plan a date's deliveries now (the nightly run does this for each region by itself)",
      tags,
      body: z.object({ deliveryDate: storable.date(), region: Region.optional() }),
      responses: {
        202: {
          description:
            'The run is under way; GET /deliveries/runs/{deliveryDate} shows its plan, or the run as failed if it could not start',
          schema: RunStarted,
        },
        400: { description: 'The date is not YYYY-MM-DD, or the region is not UK or US' },
      },
      handler: async ({ body }) => {
        const runId = uuidv7();
        await services.bus.send(`queue:${runEndpointName}`, StartDeliveryRun, {
          runId,
          deliveryDate: body.deliveryDate,
          ...(body.region ? { region: body.region } : {}),
          source: 'request',
        });
        return {
          status: 202,
          body: { runId, deliveryDate: body.deliveryDate, ...(body.region ? { region: body.region } : {}) },
          // Where the run shows once started: the date's runs (the date passed the schema's pattern).
          headers: { location: `/deliveries/runs/${body.deliveryDate}` },
        };
      },
    }),
    route({
      method: 'GET',
      url: '/deliveries/runs/:deliveryDate',
      summary: "A date's runs and rounds, each round with its deliveries in stop order",
      tags,
      params: z.object({ deliveryDate: storable.date() }),
      responses: {
        200: { description: "The date's plan", schema: DatePlan },
        400: { description: 'The date is not YYYY-MM-DD' },
        404: {
          description: 'No run has been started (or failed to start) for the date',
          problems: [deliveryProblems.runNotFound],
        },
      },
      handler: async ({ params }) => {
        const runs = await repository.runsOfDate(services.sql, params.deliveryDate);
        // A run that failed and was started again later (from the error queue) shows as started only.
        const started = new Set(runs.map((run) => run.runId));
        const failed = (
          await failuresOf(services.sql, services.schema, runFailure, params.deliveryDate)
        ).filter((failure, index, all) => {
          const first = all.findIndex((each) => each.commandId === failure.commandId) === index;
          return first && !started.has(failure.commandId);
        });
        if (runs.length === 0 && failed.length === 0) {
          throw noRunForDate(params.deliveryDate);
        }
        const rounds = await repository.roundsOfDate(services.sql, params.deliveryDate);
        const statuses = await statusOf(
          rounds.flatMap((round) => round.stops.map((stop) => stop.deliveryId)),
        );
        return {
          status: 200,
          body: {
            deliveryDate: params.deliveryDate,
            runs: [
              ...runs.map(runView),
              ...failed.map((failure) => ({ runId: failure.commandId, ...failureView(failure) })),
            ],
            rounds: rounds.map((round) => ({
              roundId: round.roundId,
              name: roundName(round.area, round.number),
              region: round.region,
              area: round.area,
              number: round.number,
              deliveries: round.stops.map((stop) => ({
                ...stop,
                currency: currencyOf(round.region),
                status: statuses.get(stop.deliveryId) ?? planningStatus,
              })),
            })),
          },
        };
      },
    }),
    route({
      method: 'GET',
      url: '/deliveries/:deliveryId',
      summary: 'A delivery: its lines, round, status and the timeline of its driver events',
      tags,
      params: z.object({ deliveryId: storable.id() }),
      responses: {
        200: { description: 'The delivery', schema: DeliveryView },
        404: { description: 'No such delivery', problems: [deliveryProblems.notFound] },
      },
      handler: async ({ params }) => {
        const delivery = await repository.findDelivery(services.sql, params.deliveryId);
        if (!delivery) throw unknownDelivery(params.deliveryId);
        const view = await inspector.find({ id: delivery.deliveryId });
        const failedEvents = (
          await failuresOf(services.sql, services.schema, driverEventFailure, delivery.deliveryId)
        ).flatMap((failure) => {
          const [event, sequence] = failure.commandId.split('#');
          const name = DriverEventName.safeParse(event);
          return name.success
            ? [{ event: name.data, sequence: Number(sequence), ...failureView(failure) }]
            : [];
        });
        return {
          status: 200,
          body: {
            deliveryId: delivery.deliveryId,
            deliveryDate: delivery.deliveryDate,
            customerId: delivery.customerId,
            region: delivery.region,
            postcode: delivery.postcode,
            lines: delivery.lines,
            currency: currencyOf(delivery.region),
            orderIds: delivery.orderIds,
            runId: delivery.runId,
            round: delivery.round
              ? {
                  roundId: delivery.round.roundId,
                  name: roundName(delivery.round.area, delivery.round.number),
                  stop: delivery.round.stop,
                }
              : null,
            status: statusFrom(view?.state),
            lastSequence: view?.sequences.driver ?? 0,
            waiting: (view?.held ?? []).map((held) => ({
              event: held.event,
              reason: held.reason,
              heldAt: held.heldAt,
            })),
            timeline: (view?.timeline ?? []).map((step) => ({
              event: step.event,
              from: step.from ?? null,
              to: step.to,
              at: step.at.toISOString(),
            })),
            failedEvents,
          },
        };
      },
    }),
    route({
      method: 'POST',
      url: '/deliveries/:deliveryId/events',
      summary: "A driver's report for a delivery: loaded on the van, delivered, or missed (with why)",
      tags,
      params: z.object({ deliveryId: storable.id() }),
      body: DriverEvent,
      responses: {
        202: {
          description:
            "Accepted: applied in the phone's sequence order, a repeated sequence number changes nothing; GET /deliveries/{deliveryId} shows it in the timeline, or in failedEvents if the delivery could not take it",
          schema: z.object({ deliveryId: z.string(), type: z.string(), sequence: z.number().int() }),
        },
        400: {
          description: 'Not a loaded, delivered or missed event with a positive sequence and an ISO time',
        },
        404: { description: 'No such delivery', problems: [deliveryProblems.notFound] },
      },
      handler: async ({ params, body }) => {
        const delivery = await repository.findDelivery(services.sql, params.deliveryId);
        if (!delivery) throw unknownDelivery(params.deliveryId);
        const common = { deliveryId: delivery.deliveryId, sequence: body.sequence, at: body.at };
        // Published, not sent to the saga: phones publish the same events straight onto the bus.
        if (body.type === 'loaded') await services.bus.publish(VanLoaded, common);
        else if (body.type === 'delivered') await services.bus.publish(DoorstepDelivered, common);
        else await services.bus.publish(DeliveryMissed, { ...common, reason: body.reason });
        return {
          status: 202,
          body: { deliveryId: delivery.deliveryId, type: body.type, sequence: body.sequence },
          headers: { location: `/deliveries/${encodeURIComponent(delivery.deliveryId)}` },
        };
      },
    }),
  ];
}

function statusFrom(state: string | undefined): DeliveryStatus {
  const status = DeliveryStatus.safeParse(state);
  return status.success ? status.data : planningStatus;
}

function roundName(area: string, number: number): string {
  return `${area}-${number}`;
}

function runView(run: RunRecord) {
  return {
    runId: run.runId,
    status: run.plannedAt ? ('planned' as const) : ('planning' as const),
    regions: run.regions,
    source: run.source,
    requestedAt: run.requestedAt.toISOString(),
    plannedAt: run.plannedAt?.toISOString() ?? null,
    deliveries: run.deliveries ?? null,
    rounds: run.rounds ?? null,
  };
}
