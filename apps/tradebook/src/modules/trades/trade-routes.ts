import { uuidv7 } from '@switchyard/bus';
import { type ModuleServices, type RouteDefinition, route, storable } from '@switchyard/host';
import { SagaInspector } from '@switchyard/saga';
import { z } from 'zod';
import { AllocationInstructed, Allocations, TradeCancelled } from './contracts.ts';
import { RetryTrade } from './trade-messages.ts';
import { cancelledTrade, tradeProblems, unknownTrade } from './trade-problems.ts';
import type { TradeReadModel } from './trade-read-model.ts';
import type { tradeSaga } from './trade-saga.ts';
import { TradeView, tradeView } from './trade-view.ts';

const ExceptionKind = z.enum(['incomplete', 'inconsistent', 'core-rejected', 'booking-overdue']);

/** The trades routes for operations: look a trade up with its timeline, list the exceptions, retry one. */
export function tradeRoutes(
  services: ModuleServices,
  saga: ReturnType<typeof tradeSaga>,
  readModel: TradeReadModel,
  sagaQueue: string,
): RouteDefinition[] {
  const inspector = new SagaInspector(saga, { store: services.sagaStore, transactions: services.sql });
  const find = async (tradeId: string) => {
    const view = await inspector.find({ id: tradeId });
    if (!view || view.state === undefined) throw unknownTrade(tradeId);
    return view;
  };
  const findOpen = async (tradeId: string) => {
    const view = await find(tradeId);
    if (view.state === 'Cancelled') throw cancelledTrade(tradeId);
    return view;
  };
  return [
    route({
      method: 'GET',
      url: '/trades/summary',
      summary:
        'How many trades are booked, cancelled and in an exception, and when the first and last were decided',
      tags: ['trades'],
      responses: {
        200: {
          description: 'The counts',
          schema: z.object({
            booked: z.number().int(),
            cancelled: z.number().int(),
            openExceptions: z.number().int(),
            firstDecidedAt: z.string().nullable(),
            lastDecidedAt: z.string().nullable(),
          }),
        },
      },
      handler: async () => ({ status: 200, body: await readModel.summary(services.sql) }),
    }),
    route({
      method: 'GET',
      url: '/trades/exceptions',
      summary:
        'Trades that need a person, oldest first: incomplete, inconsistent, refused by the core, or booking overdue',
      tags: ['trades'],
      query: z.object({
        kind: ExceptionKind.optional(),
        limit: z.coerce.number().int().min(1).max(1_000).default(100),
      }),
      responses: {
        200: {
          description: 'The open exceptions (of the kind asked for), and how many there are in all',
          schema: z.object({
            total: z.number().int(),
            exceptions: z.array(
              z.object({ tradeId: z.string(), kind: z.string(), detail: z.string(), raisedAt: z.string() }),
            ),
          }),
        },
      },
      handler: async ({ query }) => ({
        status: 200,
        body: {
          total: await readModel.count(services.sql, query.kind),
          exceptions: await readModel.list(services.sql, { limit: query.limit, kind: query.kind }),
        },
      }),
    }),
    route({
      method: 'GET',
      url: '/trades/:tradeId',
      summary: 'A trade: where it stands, its inputs, its postings in the core and its timeline',
      tags: ['trades'],
      params: z.object({ tradeId: storable.id() }),
      responses: {
        200: { description: 'The trade', schema: TradeView },
        404: { description: 'No such trade', problems: [tradeProblems.tradeNotFound] },
      },
      handler: async ({ params }) => ({ status: 200, body: tradeView(await find(params.tradeId)) }),
    }),
    route({
      method: 'POST',
      url: '/trades/:tradeId/retry',
      summary:
        'Ask booking again for the postings of a trade that are unanswered or were refused (after repairing what the core refused)',
      tags: ['trades'],
      params: z.object({ tradeId: storable.id() }),
      body: z.object({ requestedBy: storable.text({ max: 200 }) }),
      responses: {
        202: {
          description: 'The retry is on its way to the trade',
          schema: z.object({ tradeId: z.string() }),
        },
        404: { description: 'No such trade', problems: [tradeProblems.tradeNotFound] },
      },
      handler: async ({ params, body }) => {
        await find(params.tradeId);
        await services.bus.send(sagaQueue, RetryTrade, {
          tradeId: params.tradeId,
          requestedBy: body.requestedBy,
        });
        return {
          status: 202,
          body: { tradeId: params.tradeId },
          headers: { location: `/trades/${params.tradeId}` },
        };
      },
    }),
    route({
      method: 'POST',
      url: '/trades/:tradeId/allocations',
      summary:
        "Repair a trade's allocations: a new allocation instruction on the desk's behalf (after the core refused an account, or the quantities did not add up); what was booked under the old one is reversed",
      tags: ['trades'],
      params: z.object({ tradeId: storable.id() }),
      body: z.object({ allocations: Allocations, requestedBy: storable.text({ max: 200 }) }),
      responses: {
        202: {
          description: 'The new instruction is on its way to the trade',
          schema: z.object({ tradeId: z.string(), instructionId: z.string() }),
        },
        404: { description: 'No such trade', problems: [tradeProblems.tradeNotFound] },
        409: { description: 'The trade is cancelled', problems: [tradeProblems.tradeCancelled] },
      },
      handler: async ({ params, body }) => {
        await findOpen(params.tradeId);
        // An instruction id of its own, never the desk's: the trade takes it as the newest instruction.
        const instructionId = `repair-${uuidv7()}`;
        await services.bus.publish(AllocationInstructed, {
          instructionId,
          tradeId: params.tradeId,
          allocations: body.allocations,
        });
        services.logger.info(
          { tradeId: params.tradeId, instructionId, requestedBy: body.requestedBy },
          'Trades: allocations repaired by an operator',
        );
        return {
          status: 202,
          body: { tradeId: params.tradeId, instructionId },
          headers: { location: `/trades/${params.tradeId}` },
        };
      },
    }),
    route({
      method: 'POST',
      url: '/trades/:tradeId/cancel',
      summary: "Cancel a trade on the desk's behalf: whatever was booked for it is reversed in the core",
      tags: ['trades'],
      params: z.object({ tradeId: storable.id() }),
      body: z.object({ reason: storable.text({ max: 300 }), requestedBy: storable.text({ max: 100 }) }),
      responses: {
        202: {
          description: 'The cancellation is on its way to the trade',
          schema: z.object({ tradeId: z.string() }),
        },
        404: { description: 'No such trade', problems: [tradeProblems.tradeNotFound] },
        409: { description: 'The trade is cancelled already', problems: [tradeProblems.tradeCancelled] },
      },
      handler: async ({ params, body }) => {
        await findOpen(params.tradeId);
        await services.bus.publish(TradeCancelled, {
          tradeId: params.tradeId,
          reason: `${body.reason} (by ${body.requestedBy})`,
        });
        return {
          status: 202,
          body: { tradeId: params.tradeId },
          headers: { location: `/trades/${params.tradeId}` },
        };
      },
    }),
  ];
}
