import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { renderTable } from '../src/output.ts';

describe("yard's table renderer, for any cells", () => {
  it('draws a closed box: every line as wide as the others, and every cell on its own row', () => {
    const cell = fc.oneof(fc.string({ unit: 'grapheme-ascii' }), fc.string(), fc.integer());
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((columns) =>
          fc.record({
            head: fc.array(fc.string({ minLength: 1 }), { minLength: columns, maxLength: columns }),
            rows: fc.array(fc.array(cell, { minLength: columns, maxLength: columns }), { maxLength: 8 }),
          }),
        ),
        ({ head, rows }) => {
          const lines = renderTable({ head, rows }).split('\n');
          // A header, its rule, the rows and the two borders: no cell added a line of its own.
          assert.equal(lines.length, rows.length + 4);
          const widths = new Set(lines.map((line) => [...line].length));
          assert.equal(widths.size, 1, lines.join('\n'));
          for (const [index, row] of rows.entries()) {
            for (const value of row) {
              assert.ok(lines[index + 3]?.includes(String(value).replace(/\s*\n\s*/g, ' ')));
            }
          }
        },
      ),
    );
  });
});
