import { defineMessage } from '@switchyard/bus';
import { storable } from '@switchyard/host';
import { z } from 'zod';
import { Currency } from '../trades/contracts.ts';

// What the trades saga asks of booking, and booking's answers. Booking is the only module that talks to
// the core ledger; a posting is known everywhere by its client reference, which names one intended
// posting for ever: the core is not idempotent, so the reference is how booking tells "booked already"
// from "not booked" (by enquiry) before it ever sends a posting again.

export const Posting = z.object({
  /** Unique per intended posting (decision 0031): the same reference is never booked twice. */
  clientRef: z.string().regex(/^[A-Z0-9]{1,20}$/),
  allocationId: storable.id(),
  debitAccount: storable.id(),
  creditAccount: storable.id(),
  amountMinor: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  currency: Currency,
  valueDate: storable.date(),
});
export type Posting = z.infer<typeof Posting>;

/** Book these postings in the core, each exactly once. */
export const BookPostings = defineMessage(
  'tradebook.booking.BookPostings',
  z.object({ tradeId: storable.id(), postings: z.array(Posting).min(1).max(200) }),
);

/** The core booked the posting (now, or earlier, as an enquiry found). */
export const PostingBooked = defineMessage(
  'tradebook.booking.PostingBooked',
  z.object({
    tradeId: storable.id(),
    clientRef: storable.id(),
    sequence: storable.int(),
    businessDate: storable.date(),
  }),
);

/** The core refused the posting for good (an unknown account, say): a person must repair the trade. */
export const PostingRejected = defineMessage(
  'tradebook.booking.PostingRejected',
  z.object({
    tradeId: storable.id(),
    clientRef: storable.id(),
    code: storable.id(),
    reason: storable.text(),
  }),
);
