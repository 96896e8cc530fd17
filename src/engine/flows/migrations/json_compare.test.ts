import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectUUIDs, diffJSON } from './json_compare.ts';

const IN = 'aaaaaaaa-0000-4000-8000-000000000001';
const G1 = 'bbbbbbbb-0000-4000-8000-000000000001';
const G2 = 'bbbbbbbb-0000-4000-8000-000000000002';
const X1 = 'cccccccc-0000-4000-8000-000000000001';
const X2 = 'cccccccc-0000-4000-8000-000000000002';

test('key order does not matter, values do', () => {
  assert.equal(diffJSON({ a: 1, b: [1, 'x'] }, { b: [1, 'x'], a: 1 }, new Set()), null);
  assert.match(diffJSON({ a: 1 }, { a: 2 }, new Set()) ?? '', /\$\.a/);
  assert.match(diffJSON({ a: 1 }, { a: 1, b: 2 }, new Set()) ?? '', /keys/);
  assert.match(diffJSON([1, 2], [2, 1], new Set()) ?? '', /\$\[0\]/);
});

test('generated UUIDs pair one-to-one, input UUIDs must match exactly', () => {
  const fixed = collectUUIDs({ uuid: IN });
  assert.equal(diffJSON({ a: G1, b: G1, c: IN }, { a: X1, b: X1, c: IN }, fixed), null);
  assert.notEqual(diffJSON({ a: G1, b: G1 }, { a: X1, b: X2 }, fixed), null);
  assert.notEqual(diffJSON({ a: G1, b: G2 }, { a: X1, b: X1 }, fixed), null);
  assert.notEqual(diffJSON({ a: IN }, { a: X1 }, fixed), null);
});

test('generated UUID keys pair through references or by content', () => {
  const fixed = new Set<string>();
  const e = { cases: [{ uuid: G1 }], loc: { [G1]: 'one', [G2]: 'two' } };
  assert.equal(diffJSON(e, { cases: [{ uuid: X1 }], loc: { [X2]: 'two', [X1]: 'one' } }, fixed), null);
  assert.notEqual(diffJSON(e, { cases: [{ uuid: X1 }], loc: { [X1]: 'two', [X2]: 'one' } }, fixed), null);
});
