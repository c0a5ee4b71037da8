import { SwitchyardError } from '@switchyard/bus';
import type { Row } from './sql-client.ts';

/** A column held something other than what the code reading it expects (a schema and code out of step). */
export class RowShapeError extends SwitchyardError {
  constructor(column: string, expected: string, value: unknown) {
    super(
      'ROW_SHAPE',
      `Column "${column}" should hold ${expected}, got ${value === null ? 'null' : typeof value}`,
    );
  }
}

/**
 * Reads typed values out of rows, the same way for `pg` and PGlite (which return int8 as string and
 * number, bytea as Buffer and Uint8Array).
 */
export const column = {
  text(row: Row, name: string): string {
    const value = row[name];
    if (typeof value !== 'string') throw new RowShapeError(name, 'text', value);
    return value;
  },
  optionalText(row: Row, name: string): string | undefined {
    const value = row[name];
    return value === null || value === undefined ? undefined : column.text(row, name);
  },
  integer(row: Row, name: string): number {
    const value = row[name];
    const number = typeof value === 'string' || typeof value === 'bigint' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isSafeInteger(number))
      throw new RowShapeError(name, 'a safe integer', value);
    return number;
  },
  optionalInteger(row: Row, name: string): number | undefined {
    const value = row[name];
    return value === null || value === undefined ? undefined : column.integer(row, name);
  },
  boolean(row: Row, name: string): boolean {
    const value = row[name];
    if (typeof value !== 'boolean') throw new RowShapeError(name, 'a boolean', value);
    return value;
  },
  timestamp(row: Row, name: string): Date {
    const value = row[name];
    if (!(value instanceof Date)) throw new RowShapeError(name, 'a timestamp', value);
    return value;
  },
  optionalTimestamp(row: Row, name: string): Date | undefined {
    const value = row[name];
    return value === null || value === undefined ? undefined : column.timestamp(row, name);
  },
  /** A copy the caller owns, as a plain Uint8Array. */
  bytes(row: Row, name: string): Uint8Array {
    const value = row[name];
    if (!(value instanceof Uint8Array)) throw new RowShapeError(name, 'bytes', value);
    return new Uint8Array(value);
  },
  /** jsonb, already parsed by the driver. */
  json(row: Row, name: string): unknown {
    if (!(name in row)) throw new RowShapeError(name, 'json', undefined);
    return row[name];
  },
};
