import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExpression, printExpression } from './expression.ts';
import { refactorTemplate } from './refactor.ts';
import { scanTemplate } from './scanner.ts';

test('expressions print back in canonical form', () => {
  const cases: [string, string][] = [
    ['"Hello"+12345.123', '"Hello" + 12345.123'],
    ['foo . bar', 'foo.bar'],
    ['OR(TRUE, False, Null)', 'or(true, false, null)'],
    ['foo[ 1 ] + foo[ "x" ]', 'foo[1] + foo["x"]'],
    ['-1+( 2/3 )*4^5', '-1 + (2 / 3) * 4 ^ 5'],
    ['AND("x"="y", "x"!="y", 1>=2)', 'and("x" = "y", "x" != "y", 1 >= 2)'],
    ['foreach(x, (a, b) => a & b)', 'foreach(x, (a, b) => a & b)'],
    ['"a\\"b\\n" & 2.50', '"a\\"b\\n" & 2.5'],
    ['regex("\\w+")', 'regex("\\\\w+")'],
  ];
  for (const [src, printed] of cases) assert.equal(printExpression(parseExpression(src)), printed, src);
});

test('invalid expressions are rejected', () => {
  for (const bad of ['1 +', '1.1.0', '"x".y', 'foo(', ')', '!x', '']) assert.throws(() => parseExpression(bad), bad);
});

test('refactoring keeps untouched and broken expressions exactly as written', () => {
  const always = () => true;
  assert.equal(refactorTemplate('@(1 / ) @( 1+2 ) test@example.com @@foo', ['foo'], always), '@(1 / ) @(1 + 2) test@example.com @@foo');
  assert.equal(refactorTemplate('Hi @foo.bar and @( foo )', ['foo'], () => false), 'Hi @foo.bar and @( foo )');
});

test('the scanner splits body, identifiers and expressions', () => {
  const toks = scanTemplate('Hi @contact.name. @(1 + (2)) x@y @@z @', { topLevels: ['contact'], unescapeBody: true });
  assert.deepEqual(toks.map((t) => [t.type, t.text]), [
    ['body', 'Hi '], ['identifier', 'contact.name'], ['body', '. '], ['expression', '1 + (2)'],
    ['body', ' x'], ['body', '@y'], ['body', ' @z @'],
  ]);
  assert.deepEqual(scanTemplate('@(unclosed', { topLevels: null, unescapeBody: true }), [{ type: 'body', text: '@(unclosed' }]);
});
