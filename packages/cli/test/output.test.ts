import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { outputFor, renderTable } from '../src/output.ts';

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk) => {
    text += String(chunk);
  });
  return { stream, text: () => text };
}

describe("yard's one table renderer", () => {
  it('draws a title, a header and rows in one box style, columns as wide as their widest cell', () => {
    const drawn = renderTable({
      title: 'Queues',
      head: ['name', 'depth'],
      rows: [
        ['orders', 3],
        ['orders_error', 12],
      ],
    });
    const lines = drawn.split('\n');
    assert.equal(lines[0], 'Queues');
    assert.match(lines[1] ?? '', /^┌─+┬─+┐$/);
    assert.equal(lines[2], '│ name         │ depth │');
    assert.equal(lines[3], '├──────────────┼───────┤', 'a rule under the header');
    assert.equal(lines[4], '│ orders       │ 3     │', 'none between rows');
    assert.equal(lines[5], '│ orders_error │ 12    │');
    const widths = new Set(lines.slice(1).map((line) => line.length));
    assert.equal(widths.size, 1, 'every line of the box is as wide as the others');
  });

  it('keeps every cell on one line, and counts an arrow or a dash as one column', () => {
    const drawn = renderTable({ head: ['binding', 'note'], rows: [['a → b', 'two\nlines']] });
    assert.ok(drawn.includes('│ a → b   │ two lines │'), drawn);
  });

  it('puts several tables one under another for people, and only the value as JSON for scripts', () => {
    const tables = [
      { title: 'A', head: ['x'], rows: [['1']] },
      { title: 'B', head: ['y'], rows: [] },
    ];
    const people = capture();
    outputFor(false, people.stream, capture().stream).result({ a: 1 }, tables);
    assert.equal(people.text(), `${renderTable(tables[0] as never)}\n\n${renderTable(tables[1] as never)}\n`);
    const scripts = capture();
    outputFor(true, scripts.stream, capture().stream).result({ a: 1 }, tables);
    assert.deepEqual(JSON.parse(scripts.text()), { a: 1 });
  });

  it('writes where the command works on stderr, so stdout holds only the result', () => {
    const stdout = capture();
    const stderr = capture();
    outputFor(false, stdout.stream, stderr.stream).info('Embedded database: /tmp/db');
    assert.equal(stdout.text(), '');
    assert.equal(stderr.text(), 'Embedded database: /tmp/db\n');
  });
});
