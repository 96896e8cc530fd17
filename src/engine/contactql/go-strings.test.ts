import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goQuote, goUnquote } from './go-strings.ts';

test('unquote follows Go escapes', () => {
  assert.equal(goUnquote('"plain"'), 'plain');
  assert.equal(goUnquote('"a\\tb\\n\\"c\\"\\\\"'), 'a\tb\n"c"\\');
  assert.equal(goUnquote('"\\u00e9\\U0001F600\\x41\\101"'), 'é😀AA');
  assert.equal(goUnquote('"\\xc3\\xa9"'), 'é');
});

test('unquote fails where Go fails', () => {
  for (const bad of ['"\\q"', '"\\\'"', '"a"b"', '"line\nbreak"', '"\\x4"', '"\\400"', '"\\uD800"', '"trailing\\"']) {
    assert.equal(goUnquote(bad), null, bad);
  }
});

test('quote escapes what Go does not print', () => {
  assert.equal(goQuote('say "hi" \\ ok'), '"say \\"hi\\" \\\\ ok"');
  assert.equal(goQuote('é 😀 ü'), '"é 😀 ü"');
  assert.equal(goQuote('\n\t\x00\x7f'), '"\\n\\t\\x00\\x7f"');
  assert.equal(goQuote('\u00a0\u200b'), '"\\u00a0\\u200b"');
});
