import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatURN, parseURN, type ParsedURN } from './parse.ts';

describe('parseURN / formatURN', () => {
  const roundTrips: [string, ParsedURN][] = [
    ['tel:+593979012345', { scheme: 'tel', path: '+593979012345' }],
    ['ext:abc#Ann Lee', { scheme: 'ext', path: 'abc', display: 'Ann Lee' }],
    ['tel:+15550001?channel=8a1b', { scheme: 'tel', path: '+15550001', query: 'channel=8a1b' }],
    ['tel:+15550001?channel=8a1b&x=1#Home', { scheme: 'tel', path: '+15550001', query: 'channel=8a1b&x=1', display: 'Home' }],
    ['facebook:ref:xyz:42', { scheme: 'facebook', path: 'ref:xyz:42' }],
    ['ext:100%25 sure?q%23=1#wh%3F', { scheme: 'ext', path: '100% sure', query: 'q#=1', display: 'wh?' }],
    ['freshchat:a/b', { scheme: 'freshchat', path: 'a/b' }],
    ['anything:goes', { scheme: 'anything', path: 'goes' }],
    ['ext:%253F', { scheme: 'ext', path: '%3F' }],
  ];
  for (const [text, parts] of roundTrips) {
    test(`${text} splits and joins back`, () => {
      assert.deepEqual(parseURN(text), parts);
      assert.equal(formatURN(parts), text);
    });
  }

  const broken = ['', 'nocolon', ':path', 'tel:', 'tel:?q', 'tel:#d', 'ext:a?b?c', 'ext:a#b#c', 'ext:a#b?c', 'ext?:a'];
  for (const text of broken) {
    test(`${JSON.stringify(text)} is not a URN`, () => assert.equal(parseURN(text), null));
  }

  test('empty query and display are left out when joining', () => {
    assert.equal(formatURN({ scheme: 'tel', path: '+1', query: '', display: '' }), 'tel:+1');
  });
});
