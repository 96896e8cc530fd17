import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { displayURN, formatURNForEngine, redactURN, urnForExpressions } from './display.ts';

describe('displayURN (RapidPro urn_display)', () => {
  // [urn, national, international]
  const cases: [string, string, string][] = [
    ['tel:+250788123123', '0788 123 123', '+250 788 123 123'],
    ['tel:+12025550163', '(202) 555-0163', '+1 202-555-0163'],
    ['tel:+442071838750', '020 7183 8750', '+44 20 7183 8750'],
    ['tel:+33612345678', '06 12 34 56 78', '+33 6 12 34 56 78'],
    // a phone number beats the display part
    ['tel:+250788123123#Mum', '0788 123 123', '+250 788 123 123'],
    // numbers that never became E.164 are shown as stored
    ['tel:8001234567', '8001234567', '8001234567'],
    ['tel:8001234567#Office', 'Office', 'Office'],
    // all-digit whatsapp ids are phone numbers without +
    ['whatsapp:250788123123', '0788 123 123', '+250 788 123 123'],
    ['whatsapp:KE.Ab12', 'KE.Ab12', 'KE.Ab12'],
    // elsewhere the display part, else the path
    ['twitterid:90210#josmith', 'josmith', 'josmith'],
    ['twitter:josmith', 'josmith', 'josmith'],
    ['mailto:ann@example.org#Ann Lee', 'Ann Lee', 'Ann Lee'],
    ['ext:50%25', '50%', '50%'],
  ];
  for (const [urn, national, international] of cases) {
    test(urn, () => {
      assert.equal(displayURN(urn), national);
      assert.equal(displayURN(urn, { international: true }), international);
    });
  }

  test('the workspace country does not change the format', () => {
    assert.equal(displayURN('tel:+12025550163', { country: 'RW' }), '(202) 555-0163');
  });

  test('not a URN', () => assert.equal(displayURN('0788123123'), null));
});

describe('formatURNForEngine (goflow format_urn)', () => {
  const cases: [string, string | null][] = [
    ['tel:+250788123123', '0788 123 123'],
    ['tel:+250788123123#Mum', 'Mum'], // goflow lets the display part win
    ['tel:0788123123', '0788123123'],
    ['whatsapp:250788123123', '250788123123'],
    ['twitter:jo#Jo Smith', 'Jo Smith'],
    ['mailto:ann@example.org', 'ann@example.org'],
    ['NOT URN', null],
  ];
  for (const [urn, expected] of cases) test(urn, () => assert.equal(formatURNForEngine(urn), expected));
});

describe('redactURN', () => {
  test('keeps the scheme only', () => {
    assert.equal(redactURN('tel:+250788123123?channel=c1#Mum'), 'tel:********');
    assert.equal(redactURN('whatsapp:KE.Ab12'), 'whatsapp:********');
    assert.equal(redactURN('ext:a%23b'), 'ext:********');
    assert.equal(redactURN('garbage'), null);
  });
});

describe('urnForExpressions', () => {
  test('drops the channel query, keeps the display', () => {
    assert.equal(urnForExpressions('tel:+250788123123?channel=c1#Mum'), 'tel:+250788123123#Mum');
    assert.equal(urnForExpressions('ext:a%23b?x=1'), 'ext:a%23b');
  });
  test('redacts when asked', () => {
    assert.equal(urnForExpressions('tel:+250788123123?channel=c1#Mum', { redact: true }), 'tel:********');
  });
  test('not a URN', () => assert.equal(urnForExpressions('nope'), null));
});
