import { column, type Row, RowShapeError } from '@switchyard/postgres';

/** A text column that must hold one of `allowed`. */
export function oneOf<T extends string>(row: Row, name: string, allowed: readonly T[]): T {
  const value = column.text(row, name);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new RowShapeError(name, `one of ${allowed.join(', ')}`, value);
  }
  return value as T;
}

/** A text[] column whose every element is one of `allowed`. */
export function listOf<T extends string>(row: Row, name: string, allowed: readonly T[]): T[] {
  const value = row[name];
  if (!Array.isArray(value) || !value.every((each) => (allowed as readonly unknown[]).includes(each))) {
    throw new RowShapeError(name, `an array of ${allowed.join(', ')}`, value);
  }
  return value as T[];
}
