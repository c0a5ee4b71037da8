import { defineMessage } from '@switchyard/bus';
import { storable } from '@switchyard/host';
import { z } from 'zod';

// Messages the returns module sends only to itself; other modules hear of complaints through contracts.ts.

/** A customer's complaint, taken by the HTTP route and handed to the complaint saga. */
export const FileComplaint = defineMessage(
  'milkround.returns.FileComplaint',
  z.object({
    complaintId: storable.id(),
    /** Chosen by the route, so the saga's first step is the same on every retry. */
    refundId: storable.id(),
    customerId: storable.id(),
    deliveryId: storable.id(),
    sku: storable.id(),
    quantity: storable.int(),
    reason: storable.text(),
  }),
);

/** The complaint saga's own reminder that billing has not answered its RefundRequested in time. */
export const RefundAnswerOverdue = defineMessage(
  'milkround.returns.RefundAnswerOverdue',
  z.object({ complaintId: storable.id() }),
);
