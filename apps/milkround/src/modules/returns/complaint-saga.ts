import { defineSaga, event } from '@switchyard/saga';
import { RefundIssued, RefundRefused } from '../billing/contracts.ts';
import { FileComplaint, RefundAnswerOverdue } from './complaint-messages.ts';
import { ComplaintResolved, RefundRequested } from './contracts.ts';

/** What the complaint saga keeps: the complaint as filed and how it ended. */
export interface ComplaintData {
  customerId: string;
  deliveryId: string;
  sku: string;
  quantity: number;
  reason: string;
  refundId: string;
  filedAt: string;
  /** What billing refunded; 0 until then, and when it refused. */
  amountPence: number;
  refusalReason: string | null;
  escalatedAt: string | null;
  resolvedAt: string | null;
}

/** Options of the complaint saga. */
export interface ComplaintSagaOptions {
  /** How long billing has to answer a RefundRequested before the complaint escalates to a person. */
  readonly refundAnswerTimeoutMs: number;
}

/**
 * One complaint: it asks billing for a refund (AwaitingRefund) and ends Refunded or Refused on billing's
 * answer, publishing ComplaintResolved. Without an answer in time it is Escalated, where a late answer
 * still resolves it. Answers after the first, duplicates included, change nothing.
 */
export function complaintSaga(options: ComplaintSagaOptions) {
  return defineSaga({
    name: 'milkround.returns.Complaint',
    states: ['AwaitingRefund', 'Escalated', 'Refunded', 'Refused'],
    initialData: (): ComplaintData => ({
      customerId: '',
      deliveryId: '',
      sku: '',
      quantity: 0,
      reason: '',
      refundId: '',
      filedAt: '',
      amountPence: 0,
      refusalReason: null,
      escalatedAt: null,
      resolvedAt: null,
    }),
    events: {
      // The complaint id is the saga id; billing's answers carry it back.
      filed: event(FileComplaint, { byId: (complaint) => complaint.complaintId, onUnexpected: 'ignore' }),
      issued: event(RefundIssued, { byId: (refund) => refund.complaintId, onUnexpected: 'ignore' }),
      refused: event(RefundRefused, { byId: (refusal) => refusal.complaintId, onUnexpected: 'ignore' }),
      overdue: event(RefundAnswerOverdue, { byId: (overdue) => overdue.complaintId, onUnexpected: 'ignore' }),
    },
    behaviour: ({ initially, during, when }) => [
      initially(
        when('filed', (saga) =>
          saga
            .update(({ data, message, now }) => {
              data.customerId = message.customerId;
              data.deliveryId = message.deliveryId;
              data.sku = message.sku;
              data.quantity = message.quantity;
              data.reason = message.reason;
              data.refundId = message.refundId;
              data.filedAt = now.toISOString();
            })
            .publish(RefundRequested, ({ data, sagaId }) => ({
              refundId: data.refundId,
              complaintId: sagaId,
              customerId: data.customerId,
              deliveryId: data.deliveryId,
              sku: data.sku,
              quantity: data.quantity,
            }))
            .schedule('overdue', { afterMs: options.refundAnswerTimeoutMs }, ({ sagaId }) => ({
              complaintId: sagaId,
            }))
            .transitionTo('AwaitingRefund'),
        ),
      ),
      during(
        ['AwaitingRefund', 'Escalated'],
        when('issued', (saga) =>
          saga
            .update(({ data, message, now }) => {
              data.amountPence = message.amountPence;
              data.resolvedAt = now.toISOString();
            })
            .unschedule('overdue')
            .publish(ComplaintResolved, ({ data, sagaId }) => ({
              complaintId: sagaId,
              outcome: 'refunded' as const,
              amountPence: data.amountPence,
            }))
            .transitionTo('Refunded'),
        ),
        when('refused', (saga) =>
          saga
            .update(({ data, message, now }) => {
              data.refusalReason = message.reason;
              data.resolvedAt = now.toISOString();
            })
            .unschedule('overdue')
            .publish(ComplaintResolved, ({ message, sagaId }) => ({
              complaintId: sagaId,
              outcome: 'refused' as const,
              amountPence: 0,
              reason: message.reason,
            }))
            .transitionTo('Refused'),
        ),
      ),
      during(
        'AwaitingRefund',
        when('overdue', (saga) =>
          saga
            .update(({ data, now }) => {
              data.escalatedAt = now.toISOString();
            })
            .transitionTo('Escalated'),
        ),
      ),
    ],
  });
}

/** The complaint saga's definition, as the endpoint and the inspector both need it. */
export type ComplaintSaga = ReturnType<typeof complaintSaga>;
