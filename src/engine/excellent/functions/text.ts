// Text functions (§3.6 "Text"). Lengths and slices count code points, as Go's rune handling does.
import { byteCompare, toInteger, toXText } from '../convert.ts';
import { Decimal } from '../decimal.ts';
import { checkedNumber } from '../numbers.ts';
import { XArray, XError } from '../values.ts';
import { extractWords, GO_SPACE, tokenize, trimSpace } from '../words.ts';
import { MAX_ARRAY_LENGTH, initialText, oneNumber, oneText, textAndOptionalText, tooManyItems, twoTexts } from './args.ts';
import { def } from './registry.ts';
import { compileRegex } from '../regex.ts';
import { decodeHTML } from '../html.ts';

const MAX_REPEAT_OUTPUT = 10_000;

oneNumber('char', (_env, n) => {
  const code = toInteger(n);
  if (code instanceof XError) return code;
  // Go turns invalid code points into U+FFFD
  if (code < 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\uFFFD';
  return String.fromCodePoint(code);
});

oneText('code', (_env, s) => {
  if (s.length === 0) return new XError('requires a string of at least one character');
  return new Decimal(s.codePointAt(0)!);
});

textAndOptionalText('split', (_env, text, delims) => {
  const words = extractWords(text, delims);
  if (words.length > MAX_ARRAY_LENGTH) return tooManyItems();
  return new XArray(words);
});


function trimSet(s: string, chars: string, left: boolean, right: boolean): string {
  const set = new Set([...chars]);
  const cps = [...s];
  let a = 0;
  let b = cps.length;
  if (left) while (a < b && set.has(cps[a])) a++;
  if (right) while (b > a && set.has(cps[b - 1])) b--;
  return cps.slice(a, b).join('');
}

textAndOptionalText('trim', (_env, s, chars) => trimSet(s, chars || GO_SPACE, true, true));
textAndOptionalText('trim_left', (_env, s, chars) => trimSet(s, chars || GO_SPACE, true, false));
textAndOptionalText('trim_right', (_env, s, chars) => trimSet(s, chars || GO_SPACE, false, true));

const LETTER_OR_DIGIT = /[\p{L}\p{N}_]/u;

/** Go's strings.Title: upper-cases the first letter of each word; anything but letters, digits and `_` separates. */
export function titleCase(s: string): string {
  let out = '';
  let prevSep = true;
  for (const ch of s) {
    out += prevSep ? goUpper(ch) : ch;
    prevSep = !LETTER_OR_DIGIT.test(ch);
  }
  return out;
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Go maps case one code point at a time: characters whose JS mapping expands (ß → SS) keep their
 * form instead.
 */
function mapCase(s: string, map: (c: string) => string): string {
  if (!NON_ASCII.test(s)) return map(s);
  let out = '';
  for (const c of s) {
    const m = map(c);
    out += m.length === c.length || [...m].length === 1 ? m : c;
  }
  return out;
}

export const goLower = (s: string) => mapCase(s, (c) => c.toLowerCase());
export const goUpper = (s: string) => mapCase(s, (c) => c.toUpperCase());

oneText('title', (_env, s) => titleCase(goLower(s)));
oneText('lower', (_env, s) => goLower(s));
oneText('upper', (_env, s) => goUpper(s));

initialText('word', 1, 2, (_env, text, rest) => {
  const index = toInteger(rest[0]);
  if (index instanceof XError) return index;
  let delims = '';
  if (rest.length === 2 && rest[1] !== null) {
    const d = toXText(rest[1]);
    if (d instanceof XError) return d;
    delims = d;
  }
  const words = extractWords(text, delims);
  const offset = index < 0 ? index + words.length : index;
  if (!(offset >= 0 && offset < words.length)) return new XError(`index ${index} is out of range for the number of words ${words.length}`);
  return words[offset];
});

oneText('remove_first_word', (_env, s) => {
  const words = tokenize(s);
  if (words.length < 2) return '';
  const afterFirst = s.slice(s.indexOf(words[0]) + words[0].length);
  return afterFirst.slice(afterFirst.indexOf(words[1]));
});

initialText('word_slice', 1, 3, (_env, text, rest) => {
  const start = toInteger(rest[0]);
  if (start instanceof XError) return start;
  if (start < 0) return new XError('must start with a positive index');
  let end: number | XError = -1;
  if (rest.length >= 2) {
    end = toInteger(rest[1]);
    if (end instanceof XError) return end;
  }
  if (end > 0 && end <= start) return new XError('must have a end which is greater than the start');
  let delims = '';
  if (rest.length >= 3 && rest[2] !== null) {
    const d = toXText(rest[2]);
    if (d instanceof XError) return d;
    delims = d;
  }
  const words = extractWords(text, delims);
  if (start >= words.length) return '';
  if (end >= words.length) end = words.length;
  return (end > 0 ? words.slice(start, end) : words.slice(start)).join(' ');
});

textAndOptionalText('word_count', (_env, text, delims) => new Decimal(extractWords(text, delims).length));

initialText('field', 2, 2, (_env, text, rest) => {
  const index = toInteger(rest[0]);
  if (index instanceof XError) return index;
  if (index < 0) return new XError('cannot use a negative index');
  const sep = toXText(rest[1]);
  if (sep instanceof XError) return sep;
  let fields = goSplit(text, sep);
  if (sep === ' ') fields = fields.filter((f) => f !== '');
  if (index >= fields.length) return '';
  return trimSpace(fields[index]);
});

/** Go's strings.Split: an empty separator splits into code points. */
function goSplit(s: string, sep: string): string[] {
  return sep === '' ? [...s] : s.split(sep);
}

oneText('clean', (_env, s) => s.replace(/\p{C}/gu, ''));

/** Python-style slice bounds over code points. */
export function sliceBounds(length: number, start: number, end: number): [number, number] {
  if (start < 0) start = Math.max(length + start, 0);
  if (end < 0) end = Math.max(length + end, 0);
  start = Math.min(start, length);
  end = Math.min(end, length);
  return start > end ? [0, 0] : [start, end];
}

initialText('text_slice', 1, 2, (_env, text, rest) => {
  const start = toInteger(rest[0]);
  if (start instanceof XError) return start;
  const cps = [...text];
  let end: number | XError = cps.length;
  if (rest.length === 2) {
    end = toInteger(rest[1]);
    if (end instanceof XError) return end;
  }
  const [a, b] = sliceBounds(cps.length, start, end);
  return cps.slice(a, b).join('');
});

initialText('regex_match', 1, 2, (_env, text, rest) => {
  const pattern = toXText(rest[0]);
  if (pattern instanceof XError) return pattern;
  let group = 0;
  if (rest.length === 2) {
    const g = toInteger(rest[1]);
    if (g instanceof XError) return g;
    group = g;
  }
  const re = compileRegex(pattern, 'mi');
  if (!re) return new XError('invalid regular expression');
  const m = re.exec(text);
  const groups = m ? [...m] : [];
  if (group < 0 || group >= groups.length) return new XError('invalid regular expression group');
  return groups[group] ?? '';
});

oneText('text_length', (_env, s) => new Decimal([...s].length));

twoTexts('text_compare', (_env, a, b) => new Decimal(byteCompare(a, b)));

def('repeat', 2, 2, (_env, [t, c]) => {
  const text = toXText(t);
  if (text instanceof XError) return text;
  const count = toInteger(c);
  if (count instanceof XError) return count;
  if (count < 0) return new XError(`must be called with a positive integer, got ${count}`);
  const n = [...text].length;
  if (n > 0 && count > Math.floor(MAX_REPEAT_OUTPUT / n)) return new XError(`cannot build a string longer than ${MAX_REPEAT_OUTPUT} characters`);
  return text.repeat(count);
});

def('replace', 3, 4, (_env, args) => {
  const texts: string[] = [];
  for (const v of args.slice(0, 3)) {
    const s = toXText(v);
    if (s instanceof XError) return s;
    texts.push(s);
  }
  let count = -1;
  if (args.length === 4) {
    const c = toInteger(args[3]);
    if (c instanceof XError) return c;
    count = c;
  }
  return goReplace(texts[0], texts[1], texts[2], count);
});

/** Go's strings.Replace (n < 0: all; empty needle inserts between code points). */
function goReplace(s: string, old: string, repl: string, n: number): string {
  if (n === 0 || old === repl) return s;
  if (old === '') {
    const cps = [...s];
    let out = '';
    let done = 0;
    for (let i = 0; i <= cps.length; i++) {
      if (n < 0 || done < n) {
        out += repl;
        done++;
      }
      if (i < cps.length) out += cps[i];
    }
    return out;
  }
  if (n < 0) return s.split(old).join(repl);
  let out = '';
  let rest = s;
  for (let i = 0; i < n; i++) {
    const at = rest.indexOf(old);
    if (at < 0) break;
    out += rest.slice(0, at) + repl;
    rest = rest.slice(at + old.length);
  }
  return out + rest;
}

oneNumber('percent', (_env, n) => {
  const p = checkedNumber(n.times(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP));
  if (!p) return new XError('number value out of range');
  if (p.abs().gt('9223372036854775807')) return new XError('percentage value is out of range');
  return `${p.toFixed(0)}%`;
});

oneText('url_encode', (_env, s) => encodeURIComponent(s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()));

oneText('html_decode', (_env, s) => decodeHTML(s).replaceAll('\u00a0', ' '));
