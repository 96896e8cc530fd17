import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeURN, urnIdentity } from './normalize.ts';

describe('normalizeURN', () => {
  // [input, country, expected]
  const cases: [string, string | undefined, string | null][] = [
    // tel: E.164 with the default country when possible
    ['tel:0788 123 123', 'RW', 'tel:+250788123123'],
    ['tel:(0788) 123-123', 'RW', 'tel:+250788123123'],
    ['tel:+1-800-123-4567', 'RW', 'tel:+18001234567'],
    ['tel:+1-800-123-4567', undefined, 'tel:+18001234567'],
    ['tel: 0781 234 567 ', 'rw', 'tel:+250781234567'],
    ['tel:202 555 0163', 'US', 'tel:+12025550163'],
    ['tel:12025550163', 'US', 'tel:+12025550163'],
    ['tel:250781234567', undefined, 'tel:+250781234567'], // long enough to be read as international
    ['tel:00250781234567', 'RW', 'tel:+250781234567'], // international dialling prefix
    ['tel:2.50781234567E+11', 'RW', 'tel:+250781234567'], // spreadsheet scientific notation
    ['tel:1-800-GOT-JUNK', 'US', 'tel:+18004685865'], // keypad letters
    // tel: not possible → stripped characters, no +
    ['tel:800-123-4567', 'RW', 'tel:8001234567'],
    ['tel:+250 781', 'RW', 'tel:250781'],
    ['tel:0781234567', undefined, 'tel:0781234567'],
    ['tel:4567123', 'US', 'tel:4567123'], // only possible as a local number
    ['tel:Info-Line', 'RW', 'tel:infoline'],
    ['tel:*123#', 'RW', 'tel:123'], // '#' starts an empty display
    ['tel:*-#', 'RW', null], // nothing left after stripping
    ['tel:%23%23', 'RW', null],
    // twitter handles: lowercase, no @
    ['twitter:@Jo_Smith', undefined, 'twitter:jo_smith'],
    ['twitter: JOSMITH ', undefined, 'twitter:josmith'],
    ['twitter:@', undefined, null],
    // twitterid: the display is a handle
    ['twitterid:90210#@JoSmith', undefined, 'twitterid:90210#josmith'],
    ['twitterid:90210#@', undefined, 'twitterid:90210'],
    ['twitterid:90210', undefined, 'twitterid:90210'],
    // mailto lowercase
    ['mailto:Ann.Lee@Example.ORG', undefined, 'mailto:ann.lee@example.org'],
    ['mailto:Ann@x.org#Ann Lee', undefined, 'mailto:ann@x.org#Ann Lee'],
    // whatsapp / bsuid prefixes
    ['whatsapp:ke.Ab12', undefined, 'whatsapp:KE.Ab12'],
    ['whatsapp:254700000001', undefined, 'whatsapp:254700000001'],
    ['bsuid:gh.xYz', undefined, 'bsuid:GH.xYz'],
    ['bsuid:ghana.xyz', undefined, 'bsuid:ghana.xyz'],
    // other schemes keep their case, only trimmed
    ['ext: Ref-ABC ', undefined, 'ext:Ref-ABC'],
    ['telegram:  777 ', undefined, 'telegram:777'],
    ['facebook:ref:AbC', undefined, 'facebook:ref:AbC'],
    ['discord:1234', undefined, 'discord:1234'],
    ['deleted:555', undefined, 'deleted:555'],
    // query and display are kept
    ['tel:0781234567?channel=c1#Mum', 'RW', 'tel:+250781234567?channel=c1#Mum'],
    // not URNs
    ['0788123123', 'RW', null],
    ['TEL:+250781234567', undefined, null],
    ['sms:+250781234567', undefined, null],
    ['ext:   ', undefined, null],
    ['', undefined, null],
  ];
  for (const [input, country, expected] of cases) {
    test(`${JSON.stringify(input)} (${country ?? 'no country'}) → ${expected}`, () => {
      assert.equal(normalizeURN(input, country), expected);
    });
  }

  test('is idempotent', () => {
    for (const [input, country] of cases) {
      const once = normalizeURN(input, country);
      if (once !== null) assert.equal(normalizeURN(once, country), once, input);
    }
  });
});

describe('urnIdentity', () => {
  test('drops query and display, keeps escapes', () => {
    assert.equal(urnIdentity('tel:+250781234567?channel=c1#Mum'), 'tel:+250781234567');
    assert.equal(urnIdentity('twitterid:90210#josmith'), 'twitterid:90210');
    assert.equal(urnIdentity('ext:50%25#x'), 'ext:50%25');
    assert.equal(urnIdentity('not a urn'), null);
  });
});
