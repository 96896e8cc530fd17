import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultEnvironment, readEnvironment } from './environment.ts';

test('readEnvironment reads goflow environment JSON over defaults and a base', () => {
  const env = readEnvironment(
    {
      date_format: 'DD-MM-YYYY',
      time_format: 'h:mm aa',
      timezone: 'Africa/Kigali',
      allowed_languages: ['eng', 'kin'],
      default_country: 'RW',
      number_format: { decimal_symbol: ',', digit_grouping_symbol: '.' },
      input_collation: 'arabic_variants',
      redaction_policy: 'urns',
    },
    { now: () => new Date(5) },
  );
  assert.equal(env.dateFormat, 'DD-MM-YYYY');
  assert.equal(env.timeFormat, 'h:mm aa');
  assert.equal(env.timezone, 'Africa/Kigali');
  assert.deepEqual(env.allowedLanguages, ['eng', 'kin']);
  assert.equal(env.defaultCountry, 'RW');
  assert.deepEqual(env.numberFormat, { decimalSymbol: ',', digitGroupingSymbol: '.' });
  assert.equal(env.inputCollation, 'arabic_variants');
  assert.equal(env.redactionPolicy, 'urns');
  assert.equal(env.now().getTime(), 5);
});

test('defaults match RapidPro: ISO dates, 24h time, UTC, default collation, no redaction', () => {
  const env = readEnvironment({ date_format: 'bogus' });
  const d = defaultEnvironment();
  assert.equal(env.dateFormat, 'YYYY-MM-DD');
  assert.equal(d.timeFormat, 'tt:mm');
  assert.equal(d.timezone, 'UTC');
  assert.deepEqual(d.numberFormat, { decimalSymbol: '.', digitGroupingSymbol: ',' });
  assert.equal(d.inputCollation, 'default');
  assert.equal(d.redactionPolicy, 'none');
});
