import { uuidv7 } from '@switchyard/bus';
import { type ModuleServices, type RouteDefinition, route, storable } from '@switchyard/host';
import { SagaInspector } from '@switchyard/saga';
import { z } from 'zod';
import { clientChosenId } from '../../shared/client-chosen-id.ts';
import { CommandFailed, failuresOf, failureView } from '../../shared/command-failures.ts';
import { FileComplaint } from './complaint-messages.ts';
import type { ComplaintSaga } from './complaint-saga.ts';
import { ComplaintStatus, complaintStatus } from './complaint-status.ts';
import { BottlesReturned } from './contracts.ts';
import { complaintIdReused, returnsProblems, unknownComplaint } from './returns-problems.ts';

const ComplaintBody = z.object({
  complaintId: clientChosenId('complaintId').optional(),
  customerId: storable.id(),
  deliveryId: storable.id(),
  sku: storable.id(),
  quantity: storable.int(),
  reason: storable.text({ max: 1_000 }),
});

/** The kind of failure recorded for a complaint the saga could not take. */
export const complaintFailure = 'complaint';

/** A complaint that was accepted but could not be filed: why, and where its message waits. */
const FailedComplaint = CommandFailed.extend({ complaintId: z.string() });

const BottlesBody = z.object({
  customerId: storable.id(),
  bottles: storable.int({ max: 1_000 }),
  /** Lets a client retry safely: the same return id is credited once. */
  returnId: clientChosenId('returnId').optional(),
});

/** Returns' HTTP routes: file a complaint, follow it, and hand back empty bottles. */
export function returnsRoutes(
  services: ModuleServices,
  saga: ComplaintSaga,
  complaintsQueue: string,
): RouteDefinition[] {
  const inspector = new SagaInspector(saga, { store: services.sagaStore, transactions: services.sql });
  const complaintNamed = async (complaintId: string): Promise<ComplaintStatus | undefined> => {
    const view = await inspector.find({ id: complaintId });
    return view && complaintStatus(view);
  };
  return [
    route({
      method: 'POST',
      url: '/returns/complaints',
      summary: 'Complain about a delivered item; billing is asked for a refund of it',
      tags: ['returns'],
      body: ComplaintBody,
      responses: {
        202: { description: 'The complaint is filed', schema: z.object({ complaintId: z.string() }) },
        400: { description: 'The complaint is incomplete or invalid' },
        409: {
          description: 'The complaintId is taken by a different complaint',
          problems: [returnsProblems.complaintIdReused],
        },
      },
      handler: async ({ body }) => {
        const { complaintId = uuidv7(), ...complaint } = body;
        // A complaint sent again under its id is filed once: when it is filed already it is not sent
        // again, and when two copies travel at once the saga takes the first and ignores the second.
        const filed = body.complaintId === undefined ? undefined : await complaintNamed(complaintId);
        if (filed) requireSameComplaint(filed, complaint);
        else
          await services.bus.send(complaintsQueue, FileComplaint, {
            complaintId,
            refundId: uuidv7(),
            ...complaint,
          });
        return {
          status: 202,
          body: { complaintId },
          headers: { location: `/returns/complaints/${complaintId}` },
        };
      },
    }),
    route({
      method: 'GET',
      url: '/returns/complaints/:complaintId',
      summary:
        "A complaint's status (open, escalated, refunded or refused) and the amount refunded; failed, with the reason and the error queue entry, when it could not be filed",
      tags: ['returns'],
      params: z.object({ complaintId: storable.id() }),
      responses: {
        200: {
          description: 'The complaint, or why it could not be filed',
          schema: z.union([ComplaintStatus, FailedComplaint]),
        },
        404: {
          description: 'No such complaint (yet: a complaint shows a moment after it is filed)',
          problems: [returnsProblems.complaintNotFound],
        },
      },
      handler: async ({ params }) => {
        const status = await complaintNamed(params.complaintId);
        if (status) return { status: 200, body: status };
        // Filed complaints show as filed, even after a failed first attempt: only then does a failure show.
        const [failed] = await failuresOf(
          services.sql,
          services.schema,
          complaintFailure,
          params.complaintId,
        );
        if (failed) return { status: 200, body: { complaintId: params.complaintId, ...failureView(failed) } };
        throw unknownComplaint(params.complaintId);
      },
    }),
    route({
      method: 'POST',
      url: '/returns/bottles',
      summary: 'Record empty bottles collected from a customer; billing credits their deposit',
      tags: ['returns'],
      body: BottlesBody,
      responses: {
        202: {
          description: 'The return is recorded; GET /billing/credits/{returnId} shows its deposit credit',
          schema: z.object({ returnId: z.string() }),
        },
        400: { description: 'The return is incomplete or invalid' },
      },
      handler: async ({ body }) => {
        const returnId = body.returnId ?? uuidv7();
        await services.bus.publish(BottlesReturned, {
          returnId,
          customerId: body.customerId,
          bottles: body.bottles,
        });
        return {
          status: 202,
          body: { returnId },
          // Billing credits the deposit and keeps the credit, or why it could not be made, under the return id.
          headers: { location: `/billing/credits/${encodeURIComponent(returnId)}` },
        };
      },
    }),
  ];
}

/** A complaint sent again must be the one filed under its id; the same id for another complaint is a 409. */
function requireSameComplaint(
  filed: ComplaintStatus,
  complaint: Omit<z.infer<typeof ComplaintBody>, 'complaintId'>,
): void {
  const same =
    filed.customerId === complaint.customerId &&
    filed.deliveryId === complaint.deliveryId &&
    filed.sku === complaint.sku &&
    filed.quantity === complaint.quantity &&
    filed.reason === complaint.reason;
  if (same) return;
  throw complaintIdReused(filed);
}
