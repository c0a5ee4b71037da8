/** A line of a charge as refund pricing needs it. */
export interface ChargedLine {
  readonly lineNumber: number;
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceMinor: number;
  /** Units of this line already refunded. */
  readonly refundedQuantity: number;
}

/** The charge a refund is asked against: who paid it, and its lines. */
export interface ChargeForRefund {
  readonly customerId: string;
  readonly lines: readonly ChargedLine[];
}

/** What a refund asks for: units of one SKU of one delivery, for one customer. */
export interface RefundAsk {
  readonly customerId: string;
  readonly deliveryId: string;
  readonly sku: string;
  readonly quantity: number;
}

/** How many units of which line a refund takes back. */
export interface RefundedPart {
  readonly lineNumber: number;
  readonly quantity: number;
}

/** Billing's answer to a refund: the amount and the units it takes back, or why there is none. */
export type RefundDecision =
  | {
      readonly kind: 'issue';
      readonly quantity: number;
      readonly amountMinor: number;
      readonly parts: readonly RefundedPart[];
    }
  | { readonly kind: 'refuse'; readonly reason: string };

/**
 * Prices a refund from what was charged: each unit at the unit price it was charged at, and never more
 * units than were charged and not yet refunded. A SKU may appear on several lines of a delivery (orders
 * merged with different discounts), so units are taken from its lines in order.
 */
export function priceRefund(charge: ChargeForRefund | undefined, ask: RefundAsk): RefundDecision {
  if (!charge) {
    return { kind: 'refuse', reason: `Nothing was charged for delivery ${ask.deliveryId}` };
  }
  if (charge.customerId !== ask.customerId) {
    return {
      kind: 'refuse',
      reason: `Delivery ${ask.deliveryId} was charged to another customer, not to ${ask.customerId}`,
    };
  }
  const lines = charge.lines.filter((line) => line.sku === ask.sku);
  if (lines.length === 0) {
    return { kind: 'refuse', reason: `Nothing was charged for SKU ${ask.sku} on delivery ${ask.deliveryId}` };
  }
  const charged = lines.reduce((sum, line) => sum + line.quantity, 0);
  const refunded = lines.reduce((sum, line) => sum + line.refundedQuantity, 0);
  if (refunded >= charged) {
    return {
      kind: 'refuse',
      reason: `SKU ${ask.sku} on delivery ${ask.deliveryId} is already fully refunded (${refunded} of ${charged} units)`,
    };
  }
  const parts: RefundedPart[] = [];
  let wanted = ask.quantity;
  let amountMinor = 0;
  for (const line of lines) {
    const taken = Math.min(wanted, line.quantity - line.refundedQuantity);
    if (taken <= 0) continue;
    parts.push({ lineNumber: line.lineNumber, quantity: taken });
    amountMinor += taken * line.unitPriceMinor;
    wanted -= taken;
    if (wanted === 0) break;
  }
  return { kind: 'issue', quantity: ask.quantity - wanted, amountMinor, parts };
}
