import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultEnvironment } from '../environment.ts';
import { evaluateTemplate, evaluateTemplateValue } from './template.ts';
import { seededRandom } from './random.ts';
import { XObject, type XValue } from './values.ts';

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
    // 99 bracket levels, each holding a long operator chain: a tree far deeper than the bracket count
    '@' + Array.from({ length: 99 }).reduce<string>((e) => '(' + e + ' + 1'.repeat(390) + ')', '1'),
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

test('fuzz: every function and router test survives random arguments without throwing', async () => {
  const { functionNames, lookupFunction } = await import('./functions/registry.ts');
  const { callValue } = await import('./evaluator.ts');
  const { Decimal, XArray, XDate, XTime, XError: Err, dateTimeFromParts } = await import('./index.ts');
  const rand = seededRandom(99);
  const env = defaultEnvironment({
    timezone: 'Asia/Kolkata',
    now: () => new Date(Date.UTC(2021, 5, 1)),
    random: seededRandom(3),
    locations: { name: 'Rwanda', children: [{ name: 'Kigali', children: [{ name: 'Gasabo', children: [{ name: 'Gisozi' }] }] }] },
  });
  const pick = <T,>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const texts = ['', ' ', 'abc', 'Hello World', '12', '-3.5', '1e5', '2020-02-30', '31/12/1999 25:61', 'tel:+250788123123', 'x:y#z', '😀é', '(', '[a-', '\\', 'YYYY-MM-DD tt:mm:ss.fffffffff ZZZ', 'EEEE MMMM AA', '{"a": [1, 2]}', 'D', 'Y'];
  const numbers = ['0', '1', '-1', '2.5', '99999999999999999999999999999999999', '-2147483649', '2147483647', '1114112', '0.0000001', '9999999999999'];
  const value = (depth = 0): XValue => {
    switch (Math.floor(rand() * 9)) {
      case 0: return null;
      case 1: return pick(texts);
      case 2: return new Decimal(pick(numbers));
      case 3: return rand() < 0.5;
      case 4: return new XDate(pick([1, 1999, 2024, 9999, 275000]), 1 + Math.floor(rand() * 12), 1 + Math.floor(rand() * 28));
      case 5: return new XTime(Math.floor(rand() * 24), Math.floor(rand() * 60), 0, 0);
      case 6: return dateTimeFromParts(pick(['UTC', 'America/New_York', 'UTC+05:30']), 1 + Math.floor(rand() * 9999), 1, 1);
      case 7: return depth > 2 ? 'leaf' : new XArray([value(depth + 1), value(depth + 1)]);
      default: return depth > 2 ? new Err('boom') : new XObject({ a: value(depth + 1), uuid: 'u', name: 'n', value: 'v', category: 'c' });
    }
  };
  const started = Date.now();
  for (const name of functionNames()) {
    for (let i = 0; i < 150; i++) {
      const args = Array.from({ length: Math.floor(rand() * 4) }, () => value());
      // through callValue, not callFunction (which would mask an unexpected exception as an error value)
      const fn = lookupFunction(name)!;
      assert.doesNotThrow(() => callValue(fn, env, args), `${name}(${args.map((a) => String(a)).join(', ')}) threw`);
    }
  }
  assert.ok(Date.now() - started < 20_000, 'function fuzzing took too long');
});
