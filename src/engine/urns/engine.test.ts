import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeEngineURN, validateEngineURN } from './engine.ts';

describe('normalizeEngineURN (goflow)', () => {
  const cases: [string, string][] = [
    ['tel:+254 711 000 111', 'tel:+254711000111'],
    ['tel:254711000111', 'tel:+254711000111'],
    ['tel:0711000111', 'tel:0711000111'], // no default country in the engine
    ['tel:1-888-GO-TEAMS', 'tel:+18884683267'],
    ['tel:4321', 'tel:4321'],
    ['tel:Safaricom', 'tel:safaricom'], // sender id
    ['tel:+99', 'tel:+99'], // hopeless: left alone
    ['tel:+82 02 1234 5678', 'tel:+82212345678'],
    ['tel: ', 'tel:'],
    ['twitter: @AnnLee', 'twitter:annlee'],
    ['twitterid:777#AnnLee ', 'twitterid:777#AnnLee'], // display only trimmed here
    ['mailto: Ann@Example.ORG ', 'mailto:ann@example.org'],
    ['ext: CaseKept ', 'ext:CaseKept'],
    ['whatsapp:za.Q1', 'whatsapp:ZA.Q1'],
    ['bsuid:za.Q1', 'bsuid:ZA.Q1'],
    ['tel:+254711000111?channel=abc#  Ann ', 'tel:+254711000111?channel=abc#Ann'],
    ['no urn here', 'no urn here'],
  ];
  for (const [input, expected] of cases) {
    test(`${JSON.stringify(input)} → ${expected}`, () => {
      assert.equal(normalizeEngineURN(input), expected);
      assert.equal(normalizeEngineURN(expected), expected);
    });
  }
});

describe('validateEngineURN (goflow)', () => {
  const cases: [string, string | null][] = [
    ['tel:+254711000111', null],
    ['tel:4321', null],
    ['tel:7', null],
    ['tel:safaricom', null],
    ['tel:Safaricom', 'invalid path component'],
    ['tel:+4321', 'invalid path component'],
    ['tel:0711 000 111', 'invalid path component'],
    ['tel:+safaricom', 'invalid path component'],
    ['twitter:ann_lee', null],
    ['twitter:ann-lee', 'invalid path component'],
    ['twitterid:777#Ann Lee', null], // the engine does not check the display
    ['twitterid:ann', 'invalid path component'],
    ['mailto:ann@x', null],
    ['mailto:ann', 'invalid path component'],
    ['facebook:ref:Q', null],
    ['facebook:x1', 'invalid path component'],
    ['jiochat:55', null],
    ['jiochat:5a', 'invalid path component'],
    ['line:U_12', null],
    ['line:U-12', 'invalid path component'],
    ['viber:Ab+/=', null],
    ['viber:Ab.c', 'invalid path component'],
    ['webchat:0123456789abcdefABCDEF01', null],
    ['webchat:0123456789abcdefABCDEF01:ann@x.org', null],
    ['webchat:0123456789abcdefABCDEF0', 'invalid path component'],
    ['whatsapp:254711000111', null],
    ['whatsapp:ZA.Q1', null],
    ['whatsapp:za.Q1', 'invalid path component'],
    ['bsuid:ZA.Q1', null],
    ['bsuid:254711000111', 'invalid path component'],
    ['wechat:anything-goes', null],
    ['ext:' + 'y'.repeat(200), null],
    ['ext:' + 'y'.repeat(201), 'path component too long'],
    ['ext:' + '#'.repeat(66), null], // measured escaped: 198
    ['ext:' + '?'.repeat(67), 'path component too long'],
    ['ext:' + 'é'.repeat(101), 'path component too long'], // measured in UTF-8 bytes
    ['ext:x#' + 'd'.repeat(256), 'display component too long'],
    ['discord:123', 'unknown URN scheme'],
    ['deleted:123', 'unknown URN scheme'],
    ['sms:123', 'unknown URN scheme'],
    ['tel:', 'scheme or path cannot be empty'],
    ['nothing', 'scheme or path cannot be empty'],
  ];
  for (const [urn, reason] of cases) {
    test(`${urn.length > 40 ? urn.slice(0, 40) + '…' : urn} → ${reason ?? 'valid'}`, () => {
      const escaped = urn.startsWith('ext:#') || urn.startsWith('ext:?') ? 'ext:' + urn.slice(4).replace(/[#?]/g, (c) => (c === '#' ? '%23' : '%3F')) : urn;
      assert.equal(validateEngineURN(escaped), reason);
    });
  }
});
