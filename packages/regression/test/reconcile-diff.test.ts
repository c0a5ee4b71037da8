import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffCounts, diffMessageLists } from '../src/reconcile/message-lists.ts';
import { diff } from '../src/reconcile/structural-diff.ts';

describe('structural diff', () => {
  it('reports changed, missing-in-candidate and missing-in-baseline fields with their paths', () => {
    const found = diff(
      { a: 1, b: { c: 'x' }, gone: true, lines: [{ n: 1 }, { n: 2 }] },
      { a: 1, b: { c: 'y' }, added: 5, lines: [{ n: 1 }, { n: 3 }] },
    );
    assert.deepEqual(found, [
      { path: 'added', baseline: undefined, candidate: 5, kind: 'missing-in-baseline' },
      { path: 'b.c', baseline: 'x', candidate: 'y', kind: 'changed' },
      { path: 'gone', baseline: true, candidate: undefined, kind: 'missing-in-candidate' },
      { path: 'lines[1].n', baseline: 2, candidate: 3, kind: 'changed' },
    ]);
  });

  it('finds nothing for equal values whatever the key order', () => {
    assert.deepEqual(diff({ a: 1, b: [1, { x: null }] }, { b: [1, { x: null }], a: 1 }), []);
  });

  it('ignores paths with wildcards, and everything under an ignored path', () => {
    const baseline = {
      id: 'a',
      meta: { updatedAt: 1, by: 'x' },
      lines: [{ id: 'l1', amount: 5 }],
      audit: { x: 1 },
    };
    const candidate = {
      id: 'b',
      meta: { updatedAt: 2, by: 'x' },
      lines: [{ id: 'l9', amount: 5 }],
      audit: { x: 2 },
    };
    assert.deepEqual(
      diff(baseline, candidate, { ignore: ['id', '*.updatedAt', 'lines[*].id', 'audit'] }),
      [],
    );
    assert.equal(diff(baseline, candidate, { ignore: ['*.updatedAt', 'lines[*].id', 'audit'] }).length, 1);
    assert.deepEqual(
      diff(
        { deep: { a: { updatedAt: 1 } } },
        { deep: { a: { updatedAt: 2 } } },
        { ignore: ['**.updatedAt'] },
      ),
      [],
    );
    // `*` is one segment: it does not reach two levels down.
    assert.equal(
      diff({ deep: { a: { updatedAt: 1 } } }, { deep: { a: { updatedAt: 2 } } }, { ignore: ['*.updatedAt'] })
        .length,
      1,
    );
  });

  it('numeric tolerances: absolute or relative, per path', () => {
    assert.deepEqual(diff({ total: 10 }, { total: 10.004 }, { numeric: { total: { absolute: 0.01 } } }), []);
    assert.equal(diff({ total: 10 }, { total: 10.02 }, { numeric: { total: { absolute: 0.01 } } }).length, 1);
    assert.deepEqual(diff({ total: 1000 }, { total: 1001 }, { numeric: { total: { relative: 0.001 } } }), []);
    assert.equal(
      diff({ total: 1000 }, { total: 1002 }, { numeric: { total: { relative: 0.001 } } }).length,
      1,
    );
    // Only at the path given.
    assert.equal(
      diff({ other: 10 }, { other: 10.004 }, { numeric: { total: { absolute: 0.01 } } }).length,
      1,
    );
  });

  it('time tolerances: ISO strings or epoch ms within N ms', () => {
    const options = { time: { at: 1000, 'lines[*].at': 1000 } };
    assert.deepEqual(
      diff({ at: '2026-01-01T00:00:00.000Z' }, { at: '2026-01-01T00:00:00.900+00:00' }, options),
      [],
    );
    assert.equal(
      diff({ at: '2026-01-01T00:00:00.000Z' }, { at: '2026-01-01T00:00:01.001Z' }, options).length,
      1,
    );
    assert.deepEqual(diff({ lines: [{ at: 1_000 }] }, { lines: [{ at: 1_500 }] }, options), []);
    assert.equal(diff({ lines: [{ at: 1_000 }] }, { lines: [{ at: 2_500 }] }, options).length, 1);
  });

  it('normalisers apply to both sides before comparing', () => {
    const options = { normalise: { name: (v: unknown) => String(v).trim().toLowerCase() } };
    assert.deepEqual(diff({ name: ' Alice ' }, { name: 'alice' }, options), []);
    assert.equal(diff({ name: 'Alice' }, { name: 'Bob' }, options).length, 1);
  });

  it('unordered arrays by deep equality: order does not matter, counts do', () => {
    const options = { unordered: { tags: true as const } };
    assert.deepEqual(diff({ tags: ['a', 'b', 'a'] }, { tags: ['a', 'a', 'b'] }, options), []);
    assert.equal(diff({ tags: ['a', 'b'] }, { tags: ['b', 'a'] }).length, 2, 'ordered by default');
    assert.deepEqual(diff({ tags: ['a', 'a'] }, { tags: ['a', 'b'] }, options), [
      { path: 'tags[1]', baseline: 'a', candidate: undefined, kind: 'missing-in-candidate' },
      { path: 'tags[1]', baseline: undefined, candidate: 'b', kind: 'missing-in-baseline' },
    ]);
  });

  it('unordered pairing by deep equality honours ignores inside elements', () => {
    const found = diff(
      {
        lines: [
          { id: 'x', sku: 'A' },
          { id: 'y', sku: 'B' },
        ],
      },
      {
        lines: [
          { id: 'q', sku: 'B' },
          { id: 'r', sku: 'A' },
        ],
      },
      { unordered: { lines: true }, ignore: ['lines[*].id'] },
    );
    assert.deepEqual(found, []);
  });

  it('unordered arrays by key: paired elements are diffed field by field', () => {
    const found = diff(
      {
        lines: [
          { sku: 'A', qty: 1 },
          { sku: 'B', qty: 2 },
        ],
      },
      {
        lines: [
          { sku: 'B', qty: 3 },
          { sku: 'A', qty: 1 },
          { sku: 'C', qty: 1 },
        ],
      },
      { unordered: { lines: { key: (line) => (line as { sku: string }).sku } } },
    );
    assert.deepEqual(found, [
      { path: 'lines[1].qty', baseline: 2, candidate: 3, kind: 'changed' },
      { path: 'lines[2]', baseline: undefined, candidate: { sku: 'C', qty: 1 }, kind: 'missing-in-baseline' },
    ]);
  });

  it('tags differences with the message type when given', () => {
    assert.equal(
      diff({ a: 1 }, { a: 2 }, { messageType: 'urn:message:x:Y' })[0]?.messageType,
      'urn:message:x:Y',
    );
  });
});

describe('message lists', () => {
  it('pairs messages by key in any order and reports unpaired ones', () => {
    const found = diffMessageLists(
      [
        { id: 'a', amount: 1 },
        { id: 'b', amount: 2 },
      ],
      [
        { id: 'c', amount: 9 },
        { id: 'b', amount: 2 },
        { id: 'a', amount: 5 },
      ],
      { key: (m) => m.id, messageType: 'urn:message:x:Y' },
    );
    assert.deepEqual(found, [
      { path: '["a"].amount', baseline: 1, candidate: 5, kind: 'changed', messageType: 'urn:message:x:Y' },
      {
        path: '["c"]',
        baseline: undefined,
        candidate: { id: 'c', amount: 9 },
        kind: 'missing-in-baseline',
        messageType: 'urn:message:x:Y',
      },
    ]);
  });

  it('counts per type', () => {
    const found = diffCounts(
      [{ messageType: 'A' }, { messageType: 'A' }, { messageType: 'B' }],
      [{ messageType: 'B' }, { messageType: 'A' }],
    );
    assert.deepEqual(found, [
      { path: 'count', baseline: 2, candidate: 1, kind: 'changed', messageType: 'A' },
    ]);
  });
});
