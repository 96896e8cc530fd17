import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultEnvironment } from '../environment.ts';
import {
  callFunction, compileTemplate, Decimal, evaluateExpression, evaluateTemplate, evaluateTemplateValue, render, scanTemplate,
  toJSON, toXValue, XArray, XError, XObject,
} from './index.ts';

const env = defaultEnvironment({ timezone: 'America/Guayaquil', dateFormat: 'DD-MM-YYYY', now: () => new Date(Date.UTC(2018, 3, 11, 18, 24, 30)) });

function context() {
  const contact = new XObject({ name: 'Ryan', first_name: 'Ryan', age: new Decimal(23) }, 'Ryan');
  contact.set('id', '1234', { deprecated: '@contact.id is deprecated, use @contact.ref instead' });
  return new XObject({ contact, fields: new XObject({ age: new Decimal(23) }) });
}

const out = (t: string) => evaluateTemplate(t, context(), env).output;

describe('scanner', () => {
  test('splits text, identifiers and expressions; @@ is a literal @', () => {
    assert.deepEqual(scanTemplate('Hi @contact.name. @(1 + 2) @@x', new Set(['contact'])), [
      { kind: 'text', text: 'Hi ' },
      { kind: 'identifier', source: 'contact.name' },
      { kind: 'text', text: '. ' },
      { kind: 'expression', source: '1 + 2' },
      { kind: 'text', text: ' @x' },
    ]);
  });

  test('unknown top levels, emails and unterminated expressions stay literal', () => {
    assert.equal(out('bob@nyaruka.com @twitter @(upper("x"'), 'bob@nyaruka.com @twitter @(upper("x"');
  });

  test('parentheses inside string literals do not close an expression', () => {
    assert.equal(out('@(upper("a)b"))!'), 'A)B!');
  });
});

describe('expressions', () => {
  test('precedence: unary minus binds tighter than ^, which binds tighter than * and +', () => {
    assert.equal(out('@(-2 ^ 2) @(1 + 2 * 3) @(2 * 3 ^ 2) @(1 + 1 = 2) @("a" & 1 + 1)'), '4 7 18 true a2');
  });

  test('decimal arithmetic, not binary floats', () => {
    assert.equal(out('@(0.1 + 0.2) @(10 / 3) @(1.10 * 3)'), '0.3 3.3333333333333333 3.3');
  });

  test('errors render nothing and are reported with RapidPro texts', () => {
    const r = evaluateTemplate('a@(1 / 0)b@(contact.nope)c@(1 +)', context(), env);
    assert.equal(r.output, 'abc');
    assert.deepEqual(r.errors.map((e) => e.text), [
      'error evaluating @(1 / 0): division by zero',
      "error evaluating @(contact.nope): object has no property 'nope'",
      'error evaluating @(1 +): syntax error at ',
    ]);
  });

  test('the per-expression budget stops runaway evaluation with a fatal, unwrapped error', () => {
    const r = evaluateTemplate('@(foreach(split(repeat("x ", 500)), (a) => join(foreach(split(repeat("x ", 500)), repeat, 1000), "")))', context(), env);
    assert.equal(r.errors[0].message, 'expression is too complex to evaluate');
    assert.equal(r.errors[0].tooComplex, true);
    assert.equal(evaluateTemplate('@(1 / 0)', context(), env).errors[0].tooComplex, false);
  });

  test('syntax errors quote the text where parsing stopped', () => {
    const messages = ['@(\'x\')', '@(1.1.0)', '@(NULL.x)', '@("abc".v)'].map((t) => evaluateTemplate(t, context(), env).errors[0].message);
    assert.deepEqual(messages, ["syntax error at 'x'", 'syntax error at .0', 'syntax error at .x', 'syntax error at .v']);
  });

  test('lookups on values that are not containers', () => {
    assert.equal(evaluateTemplate('@(contact.name.x)', context(), env).errors[0].message, '"Ryan" doesn\'t support lookups');
    assert.equal(evaluateTemplate('@(CONTACT())', context(), env).errors[0].message, 'contact is not a function');
  });

  test('function errors are wrapped with the function name', () => {
    const v = evaluateExpression('number("x")', context(), env).value;
    assert.ok(v instanceof XError);
    assert.equal(v.message, 'error calling number(...): unable to convert "x" to a number');
  });

  test('lookups: case-insensitive properties, negative indexes, bracket lookups of missing keys are null', () => {
    assert.equal(out('@CONTACT.NAME @(array(1, 2, 3)[-1]) @(contact["missing"])|'), 'Ryan 3 |');
    assert.equal(evaluateTemplate('@(array(1)[5])', context(), env).errors[0].message, 'index 5 out of range for 1 items');
  });

  test('deprecated properties add one warning per template', () => {
    const r = evaluateTemplate('@contact.id @contact.id', context(), env);
    assert.equal(r.output, '1234 1234');
    assert.deepEqual(r.warnings, ['@contact.id is deprecated, use @contact.ref instead', '@contact.id is deprecated, use @contact.ref instead']);
    assert.deepEqual(evaluateTemplate('@(contact.id & contact.id)', context(), env).warnings, ['@contact.id is deprecated, use @contact.ref instead']);
  });

  test('lambdas and functions as values', () => {
    assert.equal(out('@(foreach(array(1, 2), (x) => x * 10)) @(array(upper)[0]("a"))'), '[10, 20] A');
  });

  test('escaping applies to expression output only', () => {
    const r = evaluateTemplate('name = "@contact.name"', context(), env, { escape: (s) => s.toUpperCase() });
    assert.equal(r.output, 'name = "RYAN"');
  });
});

describe('values', () => {
  test('lazy properties are computed once, on first read', () => {
    let calls = 0;
    const ctx = new XObject().setLazy('contact', () => {
      calls++;
      return new XObject({ name: 'Lazy' });
    });
    assert.equal(calls, 0);
    assert.equal(evaluateTemplate('@contact.name @contact.name', ctx, env).output, 'Lazy Lazy');
    assert.equal(calls, 1);
  });

  test('a lazy context value that throws becomes an error, not an exception', () => {
    const ctx = new XObject().setLazy('contact', () => {
      throw new Error('database gone');
    });
    const r = evaluateTemplate('Hi @contact.name!', ctx, env);
    assert.equal(r.output, 'Hi !');
    assert.equal(r.errors[0].message, 'internal error: database gone');
  });

  test('typed value of a lone expression, text otherwise', () => {
    const v = evaluateTemplateValue('  @(array(1, 2))  ', context(), env).value;
    assert.ok(v instanceof XArray);
    assert.equal(evaluateTemplateValue('x @(1)', context(), env).value, 'x 1');
    assert.ok(evaluateTemplateValue('@(1 / 0)', context(), env).value instanceof XError);
  });

  test('JSON in and out keeps numbers exact and sorts keys', () => {
    const v = toXValue({ b: 1.5, a: [true, null, 'x'] });
    assert.deepEqual(toJSON(v), { a: [true, null, 'x'], b: 1.5 });
    assert.equal(render(v), '{a: [true, , x], b: 1.5}');
    assert.equal(out('@(json(parse_json("{\\"n\\": 12345678901234567890.5}")))'), '{"n":12345678901234567890.5}');
  });

  test('objects render their default; datetimes render in ISO with 6 fraction digits', () => {
    assert.equal(out('@contact @(datetime("2018-04-11T13:24:30.123456789Z"))'), 'Ryan 2018-04-11T13:24:30.123456Z');
  });
});

describe('functions and tests', () => {
  test('callFunction calls router tests by name', () => {
    const r = callFunction('has_number_between', env, ['I am 42', new Decimal(40), new Decimal(50)]);
    assert.ok(r instanceof XObject);
    assert.equal(render(r), 'true');
    assert.equal(render(r.get('match')), '42');
    assert.equal((callFunction('upper', env, []) as XError).message, 'error calling upper(...): need 1 argument(s), got 0');
  });

  test('dates parse by the environment date format', () => {
    assert.equal(out('@(date("01/02/2020"))'), '2020-02-01');
    const mdy = defaultEnvironment({ dateFormat: 'MM-DD-YYYY' });
    assert.equal(evaluateTemplate('@(date("01/02/2020"))', context(), mdy).output, '2020-01-02');
  });

  test('rand draws from the environment random source', () => {
    const fixed = defaultEnvironment({ random: () => 0.25 });
    assert.equal(evaluateTemplate('@(rand()) @(rand_between(1, 4))', context(), fixed).output, '0.25 2');
  });
});

describe('parse cache', () => {
  test('a template used again is served from the cache', () => {
    const first = compileTemplate('cached @(1 + 1)');
    const second = compileTemplate('cached @(1 + 1)');
    assert.equal(compileTemplate('cached @(1 + 1)'), second);
    assert.deepEqual(first.parts, second.parts);
  });
});
