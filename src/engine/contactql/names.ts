import { NAME_PREFIX_LENGTH } from './ast.ts';

const MIN_TOKEN_BYTES = 2;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });
const utf8 = new TextEncoder();
// for plain ASCII letters, digits and spaces word segmentation is just splitting on spaces
const SIMPLE = /^[A-Za-z0-9 ]*$/;

/**
 * Words of a name by Unicode word segmentation, keeping those of at least 2 bytes of UTF-8 (RapidPro
 * measures in bytes, so a single accented letter counts as a word).
 */
export function nameTokens(value: string): string[] {
  if (SIMPLE.test(value)) return value.split(' ').filter((t) => t.length >= MIN_TOKEN_BYTES);
  const tokens: string[] = [];
  for (const s of segmenter.segment(value)) {
    if (s.isWordLike && utf8.encode(s.segment).length >= MIN_TOKEN_BYTES) tokens.push(s.segment);
  }
  return tokens;
}

/** The lowercased, cut-to-8-characters tokens a `name ~` condition compares. */
export function namePrefixes(value: string): string[] {
  return nameTokens(value.trim().toLowerCase()).map((t) => Array.from(t).slice(0, NAME_PREFIX_LENGTH).join(''));
}
