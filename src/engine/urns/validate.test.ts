import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkURN, validateURN, URN_MAX_LENGTH } from './validate.ts';

describe('validateURN', () => {
  // [input, country, valid]
  const cases: [string, string | undefined, boolean][] = [
    // tel: a possible number with the default country
    ['tel:0788 123 123', 'RW', true],
    ['tel:+1 800 123 4567', 'RW', true],
    ['tel:800-123-4567', 'RW', false],
    ['tel:800-123-4567', 'US', true],
    ['tel:0781234567', undefined, false],
    ['tel:+250781234567', undefined, true],
    ['tel:12345', 'RW', false],
    ['tel:12345', undefined, false],
    ['tel:4567123', 'US', false],
    ['tel:infoline', 'RW', false],
    ['tel:+2507812345678901234', 'RW', false],
    ['12345', 'RW', false],
    // twitter handles
    ['twitter:@Jo_Smith', undefined, true],
    ['twitter:abcdefghijklmno', undefined, true],
    ['twitter:abcdefghijklmnop', undefined, false],
    ['twitter:jo.smith', undefined, false],
    // twitterid: digits, display a handle
    ['twitterid:90210', undefined, true],
    ['twitterid:90210#@JoSmith', undefined, true],
    ['twitterid:90210#Jo Smith', undefined, false],
    ['twitterid:jo', undefined, false],
    // mailto: an email address
    ['mailto:Ann.Lee@Example.org', undefined, true],
    ['mailto:ann+tag@sub.example.co.uk', undefined, true],
    ['mailto:ann@localhost', undefined, true],
    ['mailto:ann@[10.1.2.3]', undefined, true],
    ['mailto:ann@bücher.example', undefined, true],
    ['mailto:"ann\\ lee"@example.org', undefined, true],
    ['mailto:"ann lee"@example.org', undefined, false], // Django wants the space escaped
    ['mailto:ann', undefined, false],
    ['mailto:ann@example', undefined, false],
    ['mailto:ann lee@example.org', undefined, false],
    ['mailto:ann@@example.org', undefined, false],
    ['mailto:.ann@example.org', undefined, false],
    ['mailto:ann@example.o', undefined, false],
    // facebook: ids or referral refs
    ['facebook:1234567890', undefined, true],
    ['facebook:ref:anything goes', undefined, true],
    ['facebook:jo.smith', undefined, false],
    ['facebook:-12', undefined, false],
    // digits-only schemes
    ['telegram:12345', undefined, true],
    ['telegram:@bot', undefined, false],
    ['instagram:12345', undefined, true],
    ['instagram:jo_smith', undefined, false],
    ['discord:987654321', undefined, true],
    ['discord:jo#1234', undefined, false],
    // whatsapp: phone digits or business-scoped ids
    ['whatsapp:250781234567', undefined, true],
    ['whatsapp:ke.AbC123', undefined, true],
    ['whatsapp:+250781234567', undefined, false],
    ['whatsapp:KE.', undefined, false],
    ['whatsapp:KE.abc-1', undefined, false],
    ['bsuid:KE.AbC123', undefined, true],
    ['bsuid:250781234567', undefined, false],
    // viber, freshchat
    ['viber:aBc+/=_9', undefined, true],
    ['viber:aaaaaaaaaaaaaaaaaaaaaaaaa', undefined, false],
    ['freshchat:0c1d2e3f-aaaa-4bbb-8ccc-0123456789ab/ffffffff-0000-1111-2222-333333333333', undefined, true],
    ['freshchat:0c1d2e3f-aaaa-4bbb-8ccc-0123456789ab', undefined, false],
    // anything goes for the rest
    ['ext:Any thing/at all', undefined, true],
    ['line:U1a2b3', undefined, true],
    ['vk:id123', undefined, true],
    ['wechat:o_ABC-def', undefined, true],
    ['webchat:x', undefined, true],
    ['slack:U012', undefined, true],
    ['rocketchat:r1', undefined, true],
    ['jiochat:abc', undefined, true],
    ['fcm:token:with:colons', undefined, true],
    // refused here although upstream lets them through
    ['deleted:12345', undefined, false],
    ['ext:a\u0000b', undefined, false], // refused by the generic text checks
    ['telegram:١٢٣', undefined, false],
    // not URNs
    ['xmpp:ann@example.org', undefined, false],
    ['ext:', undefined, false],
    ['ext:  ', undefined, false],
    ['', undefined, false],
  ];
  for (const [input, country, valid] of cases) {
    test(`${JSON.stringify(input)} (${country ?? 'no country'}) is ${valid ? 'valid' : 'invalid'}`, () => {
      assert.equal(validateURN(input, country), valid);
    });
  }
});

describe('checkURN', () => {
  const problems = (text: string, country?: string) => {
    const r = checkURN(text, country);
    return r.ok ? r.urn : r.problems.map((p) => p.message);
  };

  test('returns the normalised URN to store', () => {
    assert.deepEqual(checkURN('tel:0788 123 123#Mum', 'RW'), { ok: true, urn: 'tel:+250788123123#Mum' });
    assert.deepEqual(checkURN('twitter:@Jo'), { ok: true, urn: 'twitter:jo' });
  });

  test('blank text', () => {
    assert.deepEqual(problems('  '), ['This field may not be blank.']);
  });

  test('invalid URNs quote the text as given', () => {
    assert.deepEqual(problems('tel:12345', 'RW'), ['Invalid URN: tel:12345. Ensure phone numbers contain country codes.']);
    assert.deepEqual(problems(' nope'), ['Invalid URN:  nope. Ensure phone numbers contain country codes.']);
  });

  test('length is checked on the normalised URN, in characters', () => {
    const atLimit = 'ext:' + 'é'.repeat(URN_MAX_LENGTH - 4);
    assert.equal(problems(atLimit), atLimit);
    assert.deepEqual(problems(atLimit + 'x'), ['Ensure this field has no more than 255 characters.']);
    // spaces that normalising removes do not count
    assert.equal(problems('tel:' + ' '.repeat(300) + '+250788123123'), 'tel:+250788123123');
    // a URN that is invalid anyway reports only that
    assert.deepEqual(problems('telegram:' + 'x'.repeat(300)), [`Invalid URN: telegram:${'x'.repeat(300)}. Ensure phone numbers contain country codes.`]);
  });

  test('NUL and lone surrogates are reported after the URN rules, together with length', () => {
    assert.deepEqual(problems('ext:a\u0000b'), ['Null characters are not allowed.']);
    assert.equal(problems('tel:+250788\u0000123123'), 'tel:+250788123123'); // normalising drops it
    assert.deepEqual(problems('ext:a\ud800b'), ['Surrogate characters are not allowed: U+D800.']);
    assert.equal(problems('ext:😀'), 'ext:😀');
    assert.deepEqual(problems('ext:\u0000' + 'y'.repeat(260)), [
      'Ensure this field has no more than 255 characters.',
      'Null characters are not allowed.',
    ]);
  });
});
