import type { OrderLine } from './contracts.ts';
import type { RequestedLine } from './order.ts';

/**
 * Which way a discounted price that falls exactly on half a minor unit goes. Customers are told `up`;
 * `down` exists as the deliberate change the shadow regression demo runs a candidate with.
 */
export type HalfRounding = 'up' | 'down';

/** How orders are priced: the one rule a build may change. */
export interface PricingRules {
  readonly halves: HalfRounding;
}

export const standardPricing: PricingRules = { halves: 'up' };

/** A list price less the member's discount, rounded to the nearest minor unit (halves up unless told). */
export function discountedPrice(
  listPrice: number,
  discountPercent: number,
  halves: HalfRounding = 'up',
): number {
  // In hundredths of a minor unit, so that the half is found exactly rather than through a float.
  const hundredths = listPrice * (100 - discountPercent);
  if (halves === 'down' && hundredths % 100 === 50) return (hundredths - 50) / 100;
  return Math.round(hundredths / 100);
}

/** One line per product, by SKU (as orders are stored and read back): quantities asked for twice are added. */
export function combineRequestedLines(lines: readonly RequestedLine[]): RequestedLine[] {
  const bySku = new Map<string, number>();
  for (const line of lines) bySku.set(line.sku, (bySku.get(line.sku) ?? 0) + line.quantity);
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity })).sort(skuOrder);
}

/**
 * The lines of several orders delivered together: a product at one price becomes one line; the same
 * product at two prices (ordered under different discounts) stays two, so the charge stays right.
 */
export function mergeLines(lines: readonly OrderLine[]): OrderLine[] {
  const merged = new Map<string, OrderLine>();
  for (const line of lines) {
    const key = `${line.sku}@${line.unitPriceMinor}`;
    const seen = merged.get(key);
    merged.set(key, seen ? { ...seen, quantity: seen.quantity + line.quantity } : { ...line });
  }
  return [...merged.values()].sort((a, b) => skuOrder(a, b) || a.unitPriceMinor - b.unitPriceMinor);
}

/** By SKU in code-point order, as the database sorts them (`collate "C"`), whatever the locale. */
function skuOrder(a: { readonly sku: string }, b: { readonly sku: string }): number {
  return a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0;
}
