import { defineMessage } from '@switchyard/bus';
import { storable } from '@switchyard/host';
import { z } from 'zod';

// Messages the trades module sends itself: its saga's deadlines and an operator's retry. Other modules
// do not see them.

/** The trade's parts had their time to arrive; what is still missing becomes an exception. */
export const TradeIncomplete = defineMessage(
  'tradebook.trades.TradeIncomplete',
  z.object({ tradeId: storable.id() }),
);

/** Booking had its time to answer for the postings last asked for. */
export const BookingOverdue = defineMessage(
  'tradebook.trades.BookingOverdue',
  z.object({ tradeId: storable.id() }),
);

/** A person asks for the trade's unanswered and refused postings to be tried again. */
export const RetryTrade = defineMessage(
  'tradebook.trades.RetryTrade',
  z.object({ tradeId: storable.id(), requestedBy: storable.text({ max: 200 }) }),
);
