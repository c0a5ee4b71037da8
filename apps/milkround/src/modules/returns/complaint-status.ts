import type { SagaView } from '@switchyard/saga';
import { z } from 'zod';
import { Currency } from '../memberships/contracts.ts';
import { type ComplaintData, complaintDataOf } from './complaint-saga.ts';

/** A complaint as the HTTP API shows it. */
export const ComplaintStatus = z.object({
  complaintId: z.string(),
  status: z.enum(['open', 'escalated', 'refunded', 'refused']),
  customerId: z.string(),
  deliveryId: z.string(),
  sku: z.string(),
  quantity: z.number().int(),
  reason: z.string(),
  /** What was refunded, in minor units of `currency`; 0 unless refunded. */
  amountMinor: z.number().int(),
  /** The ISO 4217 currency of the refund (GBP for UK customers, USD for US ones); null until refunded. */
  currency: Currency.nullable(),
  refusalReason: z.string().nullable(),
  filedAt: z.string(),
  escalatedAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
});
export type ComplaintStatus = z.infer<typeof ComplaintStatus>;

const statusOfState: Record<string, ComplaintStatus['status']> = {
  AwaitingRefund: 'open',
  Escalated: 'escalated',
  Refunded: 'refunded',
  Refused: 'refused',
};

/** The API's view of a complaint saga instance, or undefined for one that is not a complaint in a known state. */
export function complaintStatus(view: SagaView): ComplaintStatus | undefined {
  const status = view.state === undefined ? undefined : statusOfState[view.state];
  if (!status) return undefined;
  const data = complaintDataOf(view.data as ComplaintData);
  return {
    complaintId: view.id,
    status,
    customerId: data.customerId,
    deliveryId: data.deliveryId,
    sku: data.sku,
    quantity: data.quantity,
    reason: data.reason,
    amountMinor: data.amountMinor,
    currency: data.currency,
    refusalReason: data.refusalReason,
    filedAt: data.filedAt,
    escalatedAt: data.escalatedAt,
    resolvedAt: data.resolvedAt,
  };
}
