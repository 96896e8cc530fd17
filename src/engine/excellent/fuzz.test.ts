import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultEnvironment } from '../environment.ts';
import { evaluateTemplate, evaluateTemplateValue } from './template.ts';
import { seededRandom } from './random.ts';
import { XObject } from './values.ts';

// Pieces that exercise the scanner, lexer, parser and functions; random mixes of them (and random
// characters) must never make evaluation throw or hang.
const PIECES = [
  '@', '@@', '@(', ')', '(', '[', ']', '"', '\\', '\\"', '.', ',', '=>', '&', '+', '-', '*', '/', '^', '=', '!=', '<', '>=',
  'contact', 'contact.name', 'x', '1', '0', '1.5', '99999999999999999999999999999999999999', 'true', 'null',
  'upper(', 'repeat("ab", 5000)', 'split(', 'foreach(', 'array(', 'object(', 'json(', 'parse_json("[1', 'format_date(',
  'datetime_add(now(), 1, "D")', 'regex_match("a", "(', '(x) => x', 'has_phrase(', 'word(', ' ', '\n', 'é', '😀',
];

function randomTemplate(rand: () => number): string {
  let s = '';
  const n = Math.floor(rand() * 30);
  for (let i = 0; i < n; i++) {
    if (rand() < 0.2) s += String.fromCharCode(32 + Math.floor(rand() * 95));
    else s += PIECES[Math.floor(rand() * PIECES.length)];
  }
  return s;
}

test('fuzz: evaluateTemplate never throws and terminates on random input', () => {
  const rand = seededRandom(42);
  const env = defaultEnvironment({ now: () => new Date(Date.UTC(2020, 0, 1)), random: seededRandom(7) });
  const ctx = new XObject({ contact: new XObject({ name: 'Ann' }, 'Ann') });
  const started = Date.now();
  for (let i = 0; i < 3000; i++) {
    const t = randomTemplate(rand);
    const r = evaluateTemplate(t, ctx, env);
    assert.equal(typeof r.output, 'string');
    evaluateTemplateValue(t, ctx, env);
  }
  assert.ok(Date.now() - started < 20_000, 'fuzzing took too long');
});

test('fuzz: deeply nested and huge inputs are bounded', () => {
  const env = defaultEnvironment();
  const ctx = new XObject({ contact: new XObject({ name: 'Ann' }) });
  const cases = [
    '@(' + '('.repeat(100_000) + '1' + ')'.repeat(100_000) + ')',
    '@(' + '-'.repeat(200_000) + '1)',
    '@(' + '1 + '.repeat(100_000) + '1)',
    '@(contact' + '.name'.repeat(50_000) + ')',
    '@(' + 'upper('.repeat(150) + '"x"' + ')'.repeat(150) + ')',
    '@(' + 'array('.repeat(99) + ')'.repeat(99) + ')',
    '@(foreach(split(repeat("a ", 5000)), (x) => repeat(x, 10000)))',
    '@'.repeat(100_000),
    '@(' + '"'.repeat(10_001),
  ];
  for (const t of cases) {
    const started = Date.now();
    const r = evaluateTemplate(t, ctx, env);
    assert.equal(typeof r.output, 'string');
    assert.ok(Date.now() - started < 5000, `slow on ${t.slice(0, 30)}`);
  }
  assert.match(evaluateTemplate('@(' + '('.repeat(101) + '1' + ')'.repeat(101) + ')', ctx, env).errors[0].message, /nesting too deep/);
});
