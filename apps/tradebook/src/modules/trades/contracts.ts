import { defineMessage } from '@switchyard/bus';
import { storable } from '@switchyard/host';
import { z } from 'zod';

// The three input streams of a trade, as the upstream systems send them: the execution venue, the
// allocation desk and the settlement desk. They arrive in any order, late and more than once. Amounts
// are in minor units of the trade's currency (decision 0026); a quantity is whole units of the instrument.

/** The currencies the desk trades in; anything else is refused at the edge, with the list. */
export const Currency = z.enum(['GBP', 'USD', 'EUR', 'CHF', 'JPY']);
export type Currency = z.infer<typeof Currency>;

/** The largest quantity and unit price accepted: their product stays a safe integer and fits the core's amount field. */
export const maxQuantity = 10_000_000;
export const maxPriceMinor = 10_000_000;

const quantity = () => storable.int({ min: 1, max: maxQuantity });

/** The venue executed the trade: the block, before it is split between accounts. */
export const TradeExecuted = defineMessage(
  'tradebook.trades.TradeExecuted',
  z.object({
    tradeId: storable.id(),
    /** The venue's own reference; the settlement desk knows the trade only by it. */
    executionRef: storable.id(),
    instrument: storable.id(),
    side: z.enum(['buy', 'sell']),
    quantity: quantity(),
    /** Price per unit, in minor units of `currency`. */
    priceMinor: storable.int({ min: 1, max: maxPriceMinor }),
    currency: Currency,
    tradeDate: storable.date(),
    executedAt: storable.timestamp(),
  }),
);

/** A trade's split between client accounts, as the allocation desk (or an operator repairing it) gives it. */
export const Allocations = z
  .array(z.object({ allocationId: storable.id(), account: storable.id(), quantity: quantity() }))
  .min(1)
  .max(100);

/** The allocation desk splits the block between client accounts; the quantities must add up to it. */
export const AllocationInstructed = defineMessage(
  'tradebook.trades.AllocationInstructed',
  z.object({ instructionId: storable.id(), tradeId: storable.id(), allocations: Allocations }),
);

/** The settlement desk says where one allocation settles; it knows the venue's reference, not the trade id. */
export const SettlementInstructed = defineMessage(
  'tradebook.trades.SettlementInstructed',
  z.object({
    settlementId: storable.id(),
    executionRef: storable.id(),
    allocationId: storable.id(),
    settlementDate: storable.date(),
    currency: Currency,
    custodianAccount: storable.id(),
  }),
);

/**
 * A correction of the execution's terms, restating both: numbered per trade from 2 (the execution is
 * version 1). The highest version wins, whatever order amendments arrive in.
 */
export const TradeAmended = defineMessage(
  'tradebook.trades.TradeAmended',
  z.object({
    tradeId: storable.id(),
    version: storable.int({ min: 2 }),
    quantity: quantity(),
    priceMinor: storable.int({ min: 1, max: maxPriceMinor }),
  }),
);

/** The trade is off: nothing may stay booked for it. */
export const TradeCancelled = defineMessage(
  'tradebook.trades.TradeCancelled',
  z.object({ tradeId: storable.id(), reason: storable.text({ max: 500 }) }),
);

/** Every allocation of the trade's current version is booked in the core, once. */
export const TradeBooked = defineMessage(
  'tradebook.trades.TradeBooked',
  z.object({
    tradeId: storable.id(),
    version: storable.int(),
    postings: z.array(
      z.object({ allocationId: storable.id(), clientRef: storable.id(), sequence: storable.int() }),
    ),
  }),
);

/** A trade needs a person: what is wrong, in words an operator acts on. */
export const TradeExceptionRaised = defineMessage(
  'tradebook.trades.TradeExceptionRaised',
  z.object({
    tradeId: storable.id(),
    kind: z.enum(['incomplete', 'inconsistent', 'core-rejected', 'booking-overdue']),
    detail: storable.text(),
  }),
);

/** A cancelled trade: whatever was booked for it is reversed in the core. */
export const TradeCancellationCompleted = defineMessage(
  'tradebook.trades.TradeCancellationCompleted',
  z.object({ tradeId: storable.id(), reversed: storable.int({ min: 0 }) }),
);
