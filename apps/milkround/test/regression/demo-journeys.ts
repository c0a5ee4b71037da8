import type { Journey } from '../faults/business-traffic.ts';

const plans = ['basic', 'plus', 'family'] as const;
const skus = ['milk-1pt', 'semi-1pt', 'oat-1l', 'eggs-6', 'orange-1l', 'butter-250g'] as const;

/**
 * The demo's customers: every plan with every product in turn, some with a second product, so that
 * some orders hold a price that falls on a half under the plan's discount and most do not.
 */
export function demoJourney(index: number): Journey {
  const first = skus[index % skus.length] as string;
  const second = skus[(index * 5 + 2) % skus.length] as string;
  return {
    plan: plans[Math.floor(index / skus.length) % plans.length] as string,
    lines:
      index % 4 === 3 && second !== first
        ? [
            { sku: first, quantity: 1 + (index % 2) },
            { sku: second, quantity: 1 },
          ]
        : [{ sku: first, quantity: 1 + (index % 3) }],
  };
}

/**
 * The customers a build that rounds halves down must change, worked out from the inputs alone: those
 * with a product whose list price less their plan's discount lands on exactly half a minor unit.
 */
export function customersWithHalfPrices(
  journeys: readonly { readonly customerId: string; readonly journey: Journey }[],
  listPrices: ReadonlyMap<string, number>,
  discounts: ReadonlyMap<string, number>,
): string[] {
  return journeys
    .filter(({ journey }) => {
      const discount = discounts.get(journey.plan);
      if (discount === undefined) throw new Error(`No plan "${journey.plan}" in the catalogue`);
      return journey.lines.some((line) => {
        const price = listPrices.get(line.sku);
        if (price === undefined) throw new Error(`No price for "${line.sku}"`);
        return (price * (100 - discount)) % 100 === 50;
      });
    })
    .map(({ customerId }) => customerId);
}
