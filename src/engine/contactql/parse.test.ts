import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueryEnvironment } from './environment.ts';
import { MAX_CONDITIONS, parseQuery, printQuery, QueryError, staticResolver, tryParseQuery, type Condition } from './index.ts';

const env: QueryEnvironment = { timezone: 'America/Lima', dateFormat: 'MM-DD-YYYY', defaultCountry: 'RW', redactionPolicy: 'none' };
const redacted: QueryEnvironment = { ...env, redactionPolicy: 'urns' };

const resolver = staticResolver({
  fields: [
    { key: 'height', type: 'number', uuid: 'fu-1', name: 'Height' },
    { key: 'birthday', type: 'datetime' },
    { key: 'village', type: 'text' },
    { key: 'province', type: 'state' },
    { key: 'uuid', type: 'text' },
  ],
  groups: [{ uuid: 'g-1', name: 'Volunteers' }],
  flows: [{ uuid: 'f-1', name: 'Intake Survey' }],
});

const canonical = (q: string, e = env) => printQuery(parseQuery(q, e, resolver));
const condition = (q: string, e = env) => parseQuery(q, e, resolver).root as Condition;

function assertQueryError(q: string, code: string, message: string, extra: Record<string, string> | null = null, e = env) {
  assert.throws(
    () => parseQuery(q, e, resolver),
    (err: unknown) => {
      assert.ok(err instanceof QueryError, `expected QueryError, got ${String(err)}`);
      assert.deepEqual(err.toJSON(), { code, message, extra });
      return true;
    },
  );
}

describe('canonical form', () => {
  const cases: [string, string][] = [
    ['HEIGHT >= 1.80', 'fields.height >= 1.80'],
    ['Village IS "Nyamata"', 'fields.village = "Nyamata"'],
    ['fields.village != "" ', 'fields.village != ""'],
    ['urns.TELEGRAM = 998877', 'urns.telegram = 998877'],
    ['WhatsApp HAS 2507', 'urns.whatsapp ~ 2507'],
    ['village = "line\\nbreak"', 'fields.village = "line\\nbreak"'],
    ['village = "tab\there"', 'fields.village = "tab\\there"'],
    ['village = "caf\\u00e9"', 'fields.village = "café"'],
    ['village = "bad \\q escape"', 'fields.village = "bad \\\\q escape"'],
    ['village = -5', 'fields.village = "-5"'],
    ['height = 007', 'fields.height = 007'],
    ['a b c', 'name = "a" AND name = "b" AND name = "c"'],
    ['ab OR cd OR ef gh', 'name ~ "ab" OR name ~ "cd" OR (name ~ "ef" AND name ~ "gh")'],
    ['(ab OR cd) ef', '(name ~ "ab" OR name ~ "cd") AND name ~ "ef"'],
    ['((ab AND (cd AND ef)))', 'name ~ "ab" AND name ~ "cd" AND name ~ "ef"'],
    ['ab and (cd or (ef or gh))', 'name ~ "ab" AND (name ~ "cd" OR name ~ "ef" OR name ~ "gh")'],
    ['andrew organ isaac hassan', 'name ~ "andrew" AND name ~ "organ" AND name ~ "isaac" AND name ~ "hassan"'],
    ['é', 'name ~ "é"'],
    ["O'Brien", 'name ~ "O\'Brien"'],
    ['whatsapp:250788000111', 'urns.whatsapp = 250788000111'],
    ['custom:thing', 'urns.custom = "thing"'],
    ['0788-123', 'urns.tel ~ 0788123'],
    ['12:30', 'urns.12 = 30'],
  ];
  for (const [query, expected] of cases) {
    test(query, () => assert.equal(canonical(query), expected));
  }
});

describe('whole-query phone numbers', () => {
  test('a national number in the default country becomes an exact tel match', () => {
    assert.equal(canonical('0788 123 456'), 'urns.tel = "+250788123456"');
    assert.equal(canonical(' (0788) 123-456 '), 'urns.tel = "+250788123456"');
  });
  test('an international number without + is tried as international', () => {
    assert.equal(canonical('250788123456'), 'urns.tel = "+250788123456"');
  });
  test('the default country decides how a national number reads', () => {
    assert.equal(canonical('(503) 555-0142', { ...env, defaultCountry: 'US' }), 'urns.tel = "+15035550142"');
    assert.equal(canonical('(503) 555-0142', { ...env, defaultCountry: 'us' }), 'urns.tel = "+15035550142"');
    assert.equal(canonical('(503) 555-0142', { ...env, defaultCountry: null }), 'name ~ 503 AND urns.tel ~ 5550142');
  });
  test('not rewritten when URNs are redacted', () => {
    assert.equal(canonical('0788123456', redacted), 'name ~ 0788123456');
  });
  test('too short or quoted values stay partial matches', () => {
    assert.equal(canonical('0788'), 'urns.tel ~ 0788');
    assert.equal(canonical('"0788123456"'), 'urns.tel ~ 0788123456');
  });
});

describe('redacted URNs', () => {
  test('a bare value is a contact reference when it looks like one, else a name', () => {
    assert.equal(canonical('pq4zk9', redacted), 'ref = "pq4zk9"');
    assert.equal(canonical('PQ4ZK10', redacted), 'name ~ "PQ4ZK10"');
    assert.equal(canonical('sms:12345', redacted), 'name ~ "sms:12345"');
  });
  test('set checks on URNs are allowed but values are not', () => {
    assert.equal(canonical('whatsapp != ""', redacted), 'urns.whatsapp != ""');
    assertQueryError('urn ~ 0788', 'redacted_urns', 'cannot query on redacted URNs', null, redacted);
    assertQueryError('urns.viber = abc', 'redacted_urns', 'cannot query on redacted URNs', null, redacted);
  });
});

describe('errors', () => {
  test('syntax errors read like RapidPro', () => {
    assertQueryError('%', 'syntax', "mismatched input '%' expecting {'(', STRING, PROPERTY, TEXT}");
    assertQueryError('% height', 'syntax', "extraneous input '%' expecting {'(', STRING, PROPERTY, TEXT}");
    assertQueryError('height >= ', 'syntax', "mismatched input '<EOF>' expecting {STRING, PROPERTY, TEXT}");
    assertQueryError('village = "Nyam', 'syntax', "extraneous input '\"' expecting {STRING, PROPERTY, TEXT}");
    assertQueryError('vill/age = "x"', 'syntax', "mismatched input '=' expecting <EOF>");
    assertQueryError('village. != "x"', 'syntax', "mismatched input '!=' expecting <EOF>");
    assertQueryError('ab cd )', 'syntax', "extraneous input ')' expecting <EOF>");
    assertQueryError('(ab OR cd', 'syntax', "missing ')' at '<EOF>'");
    assertQueryError('((ab OR cd)', 'syntax', "missing ')' at '<EOF>'");
    assertQueryError('((ab OR cd', 'syntax', "mismatched input '<EOF>' expecting ')'");
    assertQueryError('ab OR', 'syntax', "mismatched input '<EOF>' expecting {'(', STRING, PROPERTY, TEXT}");
    assertQueryError('name = = x', 'syntax', "extraneous input '=' expecting {STRING, PROPERTY, TEXT}");
  });

  test('codes, messages and extra', () => {
    assertQueryError('height > tall', 'invalid_number', "can't convert 'tall' to a number", { value: 'tall' });
    assertQueryError('tickets = 2e3', 'invalid_number', "can't convert '2e3' to a number", { value: '2e3' });
    assertQueryError('birthday = 31-31-2020', 'invalid_date', "can't convert '31-31-2020' to a date", { value: '31-31-2020' });
    assertQueryError('last_seen_on < soon', 'invalid_date', "can't convert 'soon' to a date", { value: 'soon' });
    assertQueryError('status = paused', 'invalid_status', "'paused' is not a valid contact status", { value: 'paused' });
    assertQueryError('language = english', 'invalid_language', "'english' is not a valid language code", { value: 'english' });
    assertQueryError('language = qqq', 'invalid_language', "'qqq' is not a valid language code", { value: 'qqq' });
    assertQueryError('group = "Drivers"', 'invalid_group', "'Drivers' is not a valid group name", { value: 'Drivers' });
    assertQueryError('history = Payments', 'invalid_flow', "'Payments' is not a valid flow name", { value: 'Payments' });
    assertQueryError('name has "a"', 'invalid_partial_name', 'contains operator on name requires token of minimum length 2', {
      min_token_length: '2',
    });
    assertQueryError('mailto ~ ab', 'invalid_partial_urn', 'contains operator on URN requires value of minimum length 3', {
      min_value_length: '3',
    });
    assertQueryError('village ~ nya', 'unsupported_contains', 'contains conditions can only be used with name or URN values', {
      property: 'village',
    });
    assertQueryError('province <= x', 'unsupported_comparison', 'comparisons with <= can only be used with date and number fields', {
      property: 'province',
      operator: '<=',
    });
    assertQueryError('ref != ""', 'unsupported_setcheck', "can't check whether 'ref' is set or not set", { property: 'ref', operator: '!=' });
    assertQueryError('fields.uuid = ""', 'unsupported_setcheck', "can't check whether 'uuid' is set or not set", {
      property: 'uuid',
      operator: '=',
    });
    assertQueryError('shoe_size = 42', 'unknown_property', "can't resolve 'shoe_size' to attribute, scheme or field", { property: 'shoe_size' });
    assertQueryError('ab OR contact.age = 1', 'unknown_property_type', "unknown property type 'contact'", { type: 'contact' });
  });

  test('tryParseQuery returns the error instead of throwing', () => {
    const bad = tryParseQuery('height ~ 3', env, resolver);
    assert.equal(bad.error?.code, 'unsupported_contains');
    const good = tryParseQuery('height > 3', env, resolver);
    assert.equal(good.query && printQuery(good.query), 'fields.height > 3');
  });

  test('an unknown prefix is reported before validation errors earlier in the query', () => {
    assertQueryError('height = tall AND meta.x = 1', 'unknown_property_type', "unknown property type 'meta'", { type: 'meta' });
  });

  test('the first failing condition wins', () => {
    assertQueryError('status = gone OR height = tall', 'invalid_status', "'gone' is not a valid contact status", { value: 'gone' });
  });

  test('without a resolver, field types, groups and flows are not checked', () => {
    assert.equal(printQuery(parseQuery('shoe_size ~ 4 AND group = Nobody AND flow = None', env)), 'fields.shoe_size ~ 4 AND group = "Nobody" AND flow = "None"');
    assert.throws(() => parseQuery('status = gone', env), /not a valid contact status/);
  });
});

describe('limits', () => {
  const tooComplex = (q: string) => assertQueryError(q, 'too_complex', 'query is too complex');

  test('length is counted in characters after trimming', () => {
    const fill = (n: number) => `name = "${'y'.repeat(n - 'name = ""'.length)}"`;
    assert.doesNotThrow(() => parseQuery(`   ${fill(10_000)}   `, env));
    tooComplex(fill(10_001));
    assert.doesNotThrow(() => parseQuery(`name = "${'ñ'.repeat(6000)}"`, env));
  });

  test('bracket depth, counting brackets inside strings too', () => {
    assert.doesNotThrow(() => parseQuery('('.repeat(100) + 'ab' + ')'.repeat(100), env));
    tooComplex('('.repeat(101) + 'ab' + ')'.repeat(101));
    tooComplex(`name = "${'['.repeat(101)}"`);
  });

  test('number of conditions', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `height = ${i}`).join(' OR ');
    const root = parseQuery(many(MAX_CONDITIONS), env, resolver).root;
    assert.equal(root.type === 'or' && root.children.length, MAX_CONDITIONS);
    tooComplex(many(MAX_CONDITIONS + 1));
  });
});

describe('resolved tree', () => {
  test('fields carry their type and resolved asset', () => {
    const c = condition('HEIGHT > 02.50');
    assert.deepEqual(c.property, { kind: 'field', key: 'height', valueType: 'number', field: { key: 'height', type: 'number', uuid: 'fu-1', name: 'Height' } });
    assert.deepEqual(c.value, { kind: 'number', number: '2.5' });
    assert.equal(c.raw, '02.50');
  });

  test('numbers keep every digit in plain notation', () => {
    assert.deepEqual(condition(`height = 1${'0'.repeat(100)}`).value, { kind: 'number', number: `1${'0'.repeat(100)}` });
    assert.throws(() => parseQuery(`height = 1${'0'.repeat(101)}`, env, resolver), /can't convert/);
    assert.deepEqual(condition('height = -.5').value, { kind: 'number', number: '-0.5' });
  });

  test('dates are days in the env timezone, read in the env date order', () => {
    assert.deepEqual(condition('birthday = 02/03/2021').value, {
      kind: 'datetime',
      day: '2021-02-03',
      timezone: 'America/Lima',
      start: '2021-02-03T05:00:00.000Z',
      end: '2021-02-04T05:00:00.000Z',
    });
    const dayFirst = { ...env, dateFormat: 'DD-MM-YYYY' as const };
    assert.equal((condition('created_on >= 02/03/2021', dayFirst).value as { day: string }).day, '2021-03-02');
    const isoOrder = { ...env, dateFormat: 'YYYY-MM-DD' as const };
    assert.equal((condition('created_on < 2021.3.2', isoOrder).value as { day: string }).day, '2021-03-02');
  });

  test('an ISO datetime names the day in its own offset', () => {
    const v = condition('created_on = 2021-06-01T23:30:00+03:00').value;
    assert.deepEqual(v, { kind: 'datetime', day: '2021-06-01', timezone: 'UTC+3', start: '2021-05-31T21:00:00.000Z', end: '2021-06-01T21:00:00.000Z' });
    const z = condition('created_on = 2021-06-01T01:00Z').value as { timezone: string; start: string };
    assert.equal(z.start, '2021-06-01T00:00:00.000Z');
  });

  test('two-digit years pivot on the current year', () => {
    const now = new Date('2026-05-01T00:00:00Z');
    const day = (q: string) => ((parseQuery(q, env, resolver, { now }).root as Condition).value as { day: string }).day;
    assert.equal(day('birthday = 1/2/26'), '2026-01-02');
    assert.equal(day('birthday = 1/2/27'), '1927-01-02');
  });

  test('a date is found inside other text, skipping impossible ones', () => {
    assert.equal((condition('birthday = "born 02-30-2020 or 02-29-2020"').value as { day: string }).day, '2020-02-29');
  });

  test('groups and flows resolve to their assets', () => {
    assert.deepEqual(condition('group = volunteers').value, { kind: 'group', group: { uuid: 'g-1', name: 'Volunteers' } });
    assert.deepEqual(condition('flow = "INTAKE survey"').value, { kind: 'flow', flow: { uuid: 'f-1', name: 'Intake Survey' } });
  });

  test('name contains keeps lowercased word prefixes of at most 8 characters', () => {
    assert.deepEqual(condition('name ~ "Jean-Bosco Habyarimana"').value, { kind: 'name_prefixes', prefixes: ['jean', 'bosco', 'habyarim'] });
  });

  test('text values keep their trimmed, lowercased comparison key', () => {
    assert.deepEqual(condition('village = "  Nyamata "').value, { kind: 'text', text: '  Nyamata ', normalized: 'nyamata' });
    assert.deepEqual(condition('province = ""').value, { kind: 'empty' });
  });

  test('a bare scheme property is a URN; a field named like an attribute needs the prefix', () => {
    assert.deepEqual(condition('telegram = 12345').property, { kind: 'urn', scheme: 'telegram', valueType: 'text' });
    assert.deepEqual(condition('language = fre').property, { kind: 'attribute', key: 'language', valueType: 'text' });
  });
});
