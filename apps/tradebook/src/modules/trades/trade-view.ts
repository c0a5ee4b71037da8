import type { SagaView } from '@switchyard/saga';
import { z } from 'zod';
import type { TradeSagaData } from './trade-saga.ts';
import { missingParts, termsOf, versionOf } from './trade-state.ts';

/** A trade as the operations routes show it: where it stands, its inputs, its postings and its timeline. */
export const TradeView = z.object({
  tradeId: z.string(),
  state: z.string(),
  version: z.number().int(),
  execution: z
    .object({
      executionRef: z.string(),
      instrument: z.string(),
      side: z.enum(['buy', 'sell']),
      quantity: z.number().int(),
      priceMinor: z.number().int(),
      currency: z.string(),
      tradeDate: z.string(),
    })
    .nullable(),
  allocations: z.array(
    z.object({
      allocationId: z.string(),
      account: z.string(),
      quantity: z.number().int(),
      settles: z.string().nullable(),
    }),
  ),
  missing: z.array(z.string()),
  cancelled: z.object({ reason: z.string() }).nullable(),
  exception: z.object({ kind: z.string(), detail: z.string() }).nullable(),
  postings: z.array(
    z.object({
      clientRef: z.string(),
      allocationId: z.string(),
      debitAccount: z.string(),
      creditAccount: z.string(),
      amountMinor: z.number().int(),
      currency: z.string(),
      status: z.string(),
      reverses: z.string().nullable(),
      sequence: z.number().int().nullable(),
      rejection: z.string().nullable(),
    }),
  ),
  timeline: z.array(
    z.object({ from: z.string().nullable(), to: z.string(), event: z.string(), at: z.string() }),
  ),
});
export type TradeView = z.infer<typeof TradeView>;

export function tradeView(view: SagaView): TradeView {
  const data = view.data as TradeSagaData;
  const terms = termsOf(data);
  return {
    tradeId: view.id,
    state: view.state ?? 'Final',
    version: versionOf(data),
    execution:
      data.execution === null || terms === null
        ? null
        : { ...data.execution, quantity: terms.quantity, priceMinor: terms.priceMinor },
    allocations: data.allocations.map((each) => ({
      ...each,
      settles: data.settlements[each.allocationId]?.settlementDate ?? null,
    })),
    missing: missingParts(data),
    cancelled: data.cancelled,
    exception: data.exception,
    postings: Object.values(data.postings).map((record) => ({
      clientRef: record.posting.clientRef,
      allocationId: record.posting.allocationId,
      debitAccount: record.posting.debitAccount,
      creditAccount: record.posting.creditAccount,
      amountMinor: record.posting.amountMinor,
      currency: record.posting.currency,
      status: record.status,
      reverses: record.reverses,
      sequence: record.sequence,
      rejection: record.rejection,
    })),
    timeline: view.timeline.map((each) => ({
      from: each.from ?? null,
      to: each.to,
      event: each.event,
      at: each.at.toISOString(),
    })),
  };
}
