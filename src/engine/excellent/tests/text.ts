// Text router tests: has_text/has_value, has_only_text, has_beginning, word and phrase tests, has_pattern.
import type { Environment } from '../../environment.ts';
import { compileRegex } from '../regex.ts';
import { XError, XObject } from '../values.ts';
import { tokenize, trimSpace } from '../words.ts';
import { oneText, twoTexts } from '../functions/args.ts';
import { collateEquals, falseResult, trueResult } from './result.ts';

function hasText(_env: Environment, s: string) {
  const t = trimSpace(s);
  return t.length > 0 ? trueResult(t) : falseResult();
}

oneText('has_text', hasText);
oneText('has_value', hasText);

twoTexts('has_only_text', (_env, a, b) => (a === b ? trueResult(a) : falseResult()));

twoTexts('has_beginning', (_env, text, beginning) => {
  const hay = trimSpace(text);
  const pin = trimSpace(beginning);
  if (!hay || !pin) return falseResult();
  // RapidPro slices by UTF-8 byte length
  const hayBytes = Buffer.from(hay, 'utf8');
  const pinBytes = Buffer.from(pin, 'utf8');
  if (hayBytes.length < pinBytes.length) return falseResult();
  const segment = hayBytes.subarray(0, pinBytes.length).toString('utf8');
  return segment.toLowerCase() === pin.toLowerCase() ? trueResult(segment) : falseResult();
});

type TokenTest = (env: Environment, hays: string[], pins: string[]) => XObject;

function tokenTest(name: string, test: TokenTest): void {
  twoTexts(name, (env, text, pattern) => test(env, tokenize(trimSpace(text)), tokenize(trimSpace(pattern))));
}

tokenTest('has_phrase', (env, hays, pins) => {
  if (pins.length === 0) return trueResult('');
  let pinIdx = 0;
  const matches: string[] = [];
  for (const hay of hays) {
    if (collateEquals(env, hay, pins[pinIdx])) {
      matches[pinIdx] = hay;
      pinIdx++;
      if (pinIdx === pins.length) break;
    } else {
      // RapidPro restarts without re-testing this token against the first pin
      pinIdx = 0;
    }
  }
  return pinIdx === pins.length ? trueResult(matches.join(' ')) : falseResult();
});

tokenTest('has_all_words', (env, hays, pins) => {
  const matches: string[] = [];
  const counts = pins.map(() => 0);
  for (const hay of hays) {
    let matched = false;
    pins.forEach((pin, j) => {
      if (collateEquals(env, hay, pin)) {
        matched = true;
        counts[j]++;
      }
    });
    if (matched) matches.push(hay);
  }
  return counts.every((c) => c > 0) ? trueResult(matches.join(' ')) : falseResult();
});

tokenTest('has_any_word', (env, hays, pins) => {
  const matches = hays.filter((hay) => pins.some((pin) => collateEquals(env, hay, pin)));
  return matches.length > 0 ? trueResult(matches.join(' ')) : falseResult();
});

tokenTest('has_only_phrase', (env, hays, pins) => {
  if (hays.length !== pins.length) return falseResult();
  for (let i = 0; i < hays.length; i++) if (!collateEquals(env, hays[i], pins[i])) return falseResult();
  return trueResult(hays.join(' '));
});

twoTexts('has_pattern', (_env, text, pattern) => {
  const re = compileRegex(trimSpace(pattern), 'mi');
  if (!re) return new XError('must be called with a valid regular expression');
  const m = re.exec(text);
  if (!m) return falseResult();
  const extra = new XObject();
  m.forEach((g, i) => extra.set(String(i), g ?? ''));
  return trueResult(m[0], extra);
});
