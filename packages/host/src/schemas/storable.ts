import { z } from 'zod';

// What the edge accepts, the store can hold. PostgreSQL refuses NUL in text (22021, 22P05 in jsonb),
// integers beyond the column's range (22003), years it cannot hold (22008), and index entries above
// about 2.7 KB (54000); a JavaScript string can also hold a lone surrogate, which is no Unicode text
// and breaks whatever encodes it next (a Location header, a JSON body written as UTF-8). One set of
// rules for HTTP schemas and message contracts, so a message that passes its contract can always be
// stored, and a request refused for one of these reasons is a 400 that names the field.

/** The longest id this kit accepts: well under PostgreSQL's b-tree entry limit in any encoding. */
export const maxIdLength = 200;
/** The longest free text this kit accepts unless told otherwise. */
export const maxTextLength = 2_000;

const int32 = { min: -2_147_483_648, max: 2_147_483_647 } as const;

/** True for text PostgreSQL stores as given: no NUL, and well-formed UTF-16 (no lone surrogate). */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && value.isWellFormed();
}

/** Text of `min` to `max` characters (default 1 to 2,000) with no NUL and no lone surrogate. */
function text(options: { readonly min?: number; readonly max?: number } = {}) {
  const { min = 1, max = maxTextLength } = options;
  return z
    .string()
    .min(min)
    .max(max)
    .refine(isStorableText, 'must be text without NUL characters or unpaired surrogates');
}

/** An identifier: 1 to 200 characters of storable text. */
function id() {
  return text({ max: maxIdLength });
}

/** A whole number in PostgreSQL's `integer` range, and at least `min` (default 1: a count, a quantity). */
function int(options: { readonly min?: number; readonly max?: number } = {}) {
  const { min = 1, max = int32.max } = options;
  return z.number().int().min(Math.max(min, int32.min)).max(Math.min(max, int32.max));
}

/** An amount of money in minor units (pence, cents), zero or more, within PostgreSQL's `integer`. */
function amountMinor() {
  return int({ min: 0 });
}

/** A calendar date `YYYY-MM-DD` that exists, in years 1 to 9999. */
function date() {
  return z.iso.date().refine((value) => value >= '0001-01-01', 'must be a date in the years 1 to 9999');
}

/** An ISO 8601 timestamp with its offset, in years 1 to 9999. */
function timestamp() {
  return z.iso
    .datetime({ offset: true })
    .refine((value) => !value.startsWith('0000'), 'must be a time in the years 1 to 9999');
}

/**
 * Field schemas whose every accepted value PostgreSQL can hold: use them for request bodies, path
 * parameters and message contracts alike.
 */
export const storable = { text, id, int, amountMinor, date, timestamp } as const;
