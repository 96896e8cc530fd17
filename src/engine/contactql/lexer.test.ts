import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize } from './lexer.ts';

const kinds = (q: string) => tokenize(q).map((t) => `${t.kind}:${t.text}`);

test('keywords only as whole words, case-insensitively', () => {
  assert.deepEqual(kinds('a AND b Or c hAs d IS e'), [
    'PROPERTY:a', 'AND:AND', 'PROPERTY:b', 'OR:Or', 'PROPERTY:c', 'COMPARATOR:hAs', 'PROPERTY:d', 'COMPARATOR:IS', 'PROPERTY:e', 'EOF:<EOF>',
  ]);
  assert.deepEqual(kinds('andes oregon island hash and1'), [
    'PROPERTY:andes', 'PROPERTY:oregon', 'PROPERTY:island', 'PROPERTY:hash', 'PROPERTY:and1', 'EOF:<EOF>',
  ]);
});

test('longest match decides between PROPERTY and TEXT', () => {
  assert.deepEqual(kinds('fields.age 12-05-2020 x.y.z a.b tel:+250 ä_1 a.'), [
    'PROPERTY:fields.age', 'TEXT:12-05-2020', 'TEXT:x.y.z', 'PROPERTY:a.b', 'TEXT:tel:+250', 'PROPERTY:ä_1', 'TEXT:a.', 'EOF:<EOF>',
  ]);
});

test('comparators take the longest symbol', () => {
  assert.deepEqual(kinds('a>=1 b<=2 c!=3 d<4 e~f'), [
    'PROPERTY:a', 'COMPARATOR:>=', 'PROPERTY:1', 'PROPERTY:b', 'COMPARATOR:<=', 'PROPERTY:2', 'PROPERTY:c', 'COMPARATOR:!=', 'PROPERTY:3',
    'PROPERTY:d', 'COMPARATOR:<', 'PROPERTY:4', 'PROPERTY:e', 'COMPARATOR:~', 'PROPERTY:f', 'EOF:<EOF>',
  ]);
});

test('strings: escaped quotes continue, the longest closed string wins, unclosed quotes are errors', () => {
  assert.deepEqual(kinds('"say \\"hi\\"" "a\\" b" "x'), ['STRING:"say \\"hi\\""', 'STRING:"a\\" b"', 'ERROR:"', 'PROPERTY:x', 'EOF:<EOF>']);
  assert.deepEqual(kinds('"ends with \\"'), ['STRING:"ends with \\"', 'EOF:<EOF>']);
});

test('only space, tab and newlines separate tokens; other characters are errors', () => {
  assert.deepEqual(kinds('\ta\r\nb\u00a0c $'), ['PROPERTY:a', 'PROPERTY:b', 'ERROR:\u00a0', 'PROPERTY:c', 'ERROR:$', 'EOF:<EOF>']);
});
