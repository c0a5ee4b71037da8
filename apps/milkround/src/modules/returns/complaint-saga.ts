import { defineSaga, event } from '@switchyard/saga';
import { withCurrentNames } from '../../shared/previous-field-names.ts';
import { RefundIssued, RefundRefused } from '../billing/contracts.ts';
import type { Currency } from '../memberships/contracts.ts';
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
  /** What billing refunded, in minor units of `currency`; 0 until then, and when it refused. */
  amountMinor: number;
  /** The currency billing refunded in; null until then, when it refused, or when its answer did not say. */
  currency: Currency | null;
  refusalReason: string | null;
  escalatedAt: string | null;
  resolvedAt: string | null;
}

/**
 * A complaint's data as this release keeps it. Instances stored by the release before decision 0026
 * name the amount `amountPence` and hold no currency: they read as `amountMinor`, with `currency` null,
 * and are stored under the new names at their next step.
 */
export function complaintDataOf(stored: ComplaintData): ComplaintData {
  const data = withCurrentNames(stored, { amountPence: 'amountMinor' }) as ComplaintData;
  return { ...data, currency: data.currency ?? null };
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
      amountMinor: 0,
      currency: null,
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
            .update(({ data, message, now }) => ({
              ...complaintDataOf(data),
              amountMinor: message.amountMinor,
              currency: message.currency ?? null,
              resolvedAt: now.toISOString(),
            }))
            .unschedule('overdue')
            .publish(ComplaintResolved, ({ data, sagaId }) => ({
              complaintId: sagaId,
              outcome: 'refunded' as const,
              amountMinor: data.amountMinor,
              ...(data.currency ? { currency: data.currency } : {}),
            }))
            .transitionTo('Refunded'),
        ),
        when('refused', (saga) =>
          saga
            .update(({ data, message, now }) => ({
              ...complaintDataOf(data),
              refusalReason: message.reason,
              resolvedAt: now.toISOString(),
            }))
            .unschedule('overdue')
            .publish(ComplaintResolved, ({ message, sagaId }) => ({
              complaintId: sagaId,
              outcome: 'refused' as const,
              amountMinor: 0,
              reason: message.reason,
            }))
            .transitionTo('Refused'),
        ),
      ),
      during(
        'AwaitingRefund',
        when('overdue', (saga) =>
          saga
            .update(({ data, now }) => ({ ...complaintDataOf(data), escalatedAt: now.toISOString() }))
            .transitionTo('Escalated'),
        ),
      ),
    ],
  });
}

/** The complaint saga's definition, as the endpoint and the inspector both need it. */
export type ComplaintSaga = ReturnType<typeof complaintSaga>;
