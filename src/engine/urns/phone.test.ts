import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findPhoneNumbers, formatPhone, normalizeNumber, parseNumber, possibleE164, telFromText } from './phone.ts';

describe('possibleE164 (RapidPro parse_number)', () => {
  const cases: [string, string | undefined, string | null][] = [
    ['+254 711 000-111', undefined, '+254711000111'],
    ['0711000111', 'KE', '+254711000111'],
    ['0711000111', 'ke', '+254711000111'],
    ['0711000111', undefined, null], // no country, no +
    ['0711000111', 'XX', null], // unknown country
    ['+254711000111', 'XX', '+254711000111'],
    ['312 555 0199', 'US', '+13125550199'],
    ['555 0199', 'US', null], // local-only length
    ['911', 'US', null],
    ['+1-800-FLOWERS', undefined, '+18003569377'],
    ['+1 800 FL', undefined, null], // fewer than three letters are dropped, too short
    ['0711000111 x 55', 'KE', '+254711000111'], // extension dropped
    ['0711000111ext123', 'KE', '+254711000111'],
    ['0711000111int7', 'KE', '+254711000111'],
    ['071100011x1234567890', 'KE', null], // too long for an `x` extension: the digits count
    ['ab', 'KE', null],
    ['1', 'KE', null],
  ];
  for (const [input, country, expected] of cases) {
    test(`${input} (${country ?? '-'})`, () => assert.equal(possibleE164(input, country), expected));
  }
});

describe('normalizeNumber (RapidPro normalize_number)', () => {
  const cases: [string, string | undefined, string][] = [
    ['0711 000 111', 'KE', '+254711000111'],
    ['254711000111', undefined, '+254711000111'],
    ['+254-711', 'KE', '254711'],
    ['07110', 'KE', '07110'],
    ['2.54711000111e+11', undefined, '+254711000111'],
    ['2.54711000111E+12', undefined, '+254711000111'], // the exponent is dropped, not applied
    ['MPESA', 'KE', 'mpesa'],
    ['', 'KE', ''],
  ];
  for (const [input, country, expected] of cases) {
    test(`${input} (${country ?? '-'})`, () => assert.equal(normalizeNumber(input, country), expected));
  }
});

describe('parseNumber (goflow)', () => {
  const cases: [string, string | null, boolean, boolean, string | null][] = [
    ['+254 711 000 111', null, false, false, '+254711000111'],
    ['0711000111', 'KE', false, false, '+254711000111'],
    ['254711000111', 'US', false, false, '+254711000111'],
    ['1-800-GO-TEAMS', 'US', false, false, '+18004683267'],
    ['4321', 'KE', true, false, '4321'],
    ['4321', 'KE', false, false, null],
    ['4321', null, true, false, null], // short codes need a country
    ['0432', 'KE', true, false, null],
    ['12', 'KE', true, false, null],
    ['MPESA', 'KE', true, false, null],
    ['MPESA', 'KE', true, true, 'mpesa'],
    ['M', 'KE', true, true, null],
    ['0711000111', 'QQ', true, true, null], // a junk country ends parsing before the sender id rule
    ['254711000111', 'QQ', false, false, null],
    ['+82 02 1234 5678', null, false, false, '+82212345678'], // the 0 is a national prefix
  ];
  for (const [input, country, allowShort, allowSenderID, expected] of cases) {
    test(`${input} (${country ?? '-'}, short=${allowShort}, sender=${allowSenderID})`, () => {
      assert.equal(parseNumber(input, country, { allowShort, allowSenderID }), expected);
    });
  }
});

describe('telFromText / findPhoneNumbers (goflow)', () => {
  test('whole text must look like a phone number', () => {
    assert.equal(telFromText(' 0711 000 111 ', 'KE'), '+254711000111');
    assert.equal(telFromText('(0711) 000-111', 'KE'), '+254711000111');
    assert.equal(telFromText('call 0711 000 111', 'KE'), null);
    assert.equal(telFromText('4321', 'KE'), null);
    assert.equal(telFromText('43210', 'KE'), null); // short codes are not phone numbers here
    assert.equal(telFromText('0711000111', null), null);
  });

  test('finds numbers inside text', () => {
    assert.deepEqual(findPhoneNumbers('call 0711 000 111 or +1 312 555 0199, not 12345', 'KE'), ['+254711000111', '+13125550199']);
    assert.deepEqual(findPhoneNumbers('nothing here', 'KE'), []);
  });
});

describe('formatPhone', () => {
  test('national and international forms of the number’s own country', () => {
    assert.equal(formatPhone('+254711000111'), '0711 000111');
    assert.equal(formatPhone('+254711000111', true), '+254 711 000111');
    assert.equal(formatPhone('0711000111'), null);
  });

  test('international form keeps the separators of the country’s format, like Google’s library', () => {
    assert.equal(formatPhone('+82212345678', true), '+82 2-1234-5678');
    assert.equal(formatPhone('+82212345678'), '02-1234-5678');
    assert.equal(formatPhone('+13125550199', true), '+1 312-555-0199');
    assert.equal(formatPhone('+4930123456', true), '+49 30 123456');
    assert.equal(formatPhone('+80012345678', true), '+800 1234 5678'); // non-geographic
    assert.equal(formatPhone('+254123', true), '+254 123'); // no format fits
    assert.equal(formatPhone('+2541', true), null); // too short to parse
  });
});
