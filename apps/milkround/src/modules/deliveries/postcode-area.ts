import type { Region } from '../memberships/contracts.ts';

/**
 * The area a round covers, from a customer's postcode: the outward code of a UK postcode ("SW1A 1AA"
 * → "SW1A"; the inward code is always three characters, so "SW1A1AA" gives the same), the five-digit
 * ZIP code of a US one ("10001-1234" → "10001"). Anything else is kept whole, upper-cased, so odd
 * postcodes still land together rather than failing the run.
 */
export function postcodeArea(region: Region, postcode: string): string {
  const compact = postcode.trim().toUpperCase().replace(/\s+/g, ' ');
  if (region === 'US') {
    const zip = /^(\d{5})(?:-?\d{4})?$/.exec(compact.replace(' ', ''));
    return zip?.[1] ?? compact;
  }
  const [outward, inward] = compact.split(' ');
  if (inward !== undefined && outward) return outward;
  const joined = compact.replace(' ', '');
  return joined.length > 4 ? joined.slice(0, -3) : joined;
}
