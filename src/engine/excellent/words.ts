// Word tokenizing shared by text functions and router tests (RapidPro's word regex: letters, marks,
// numbers, `_` and `'` runs, or a single symbol such as an emoji).
const WORD = /[\p{M}\p{L}\p{N}_']+|\p{S}/gu;

export function tokenize(text: string): string[] {
  return text.match(WORD) ?? [];
}

/** Splits on any of the given characters, dropping empty pieces (Go's strings.FieldsFunc). */
export function tokenizeByChars(text: string, chars: string): string[] {
  const set = new Set([...chars]);
  const out: string[] = [];
  let cur = '';
  for (const ch of text) {
    if (set.has(ch)) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

export function extractWords(text: string, delimiters: string): string[] {
  return delimiters ? tokenizeByChars(text, delimiters) : tokenize(text);
}

// Go's unicode.IsSpace set (JS trim() also strips U+FEFF, Go does not)
export const GO_SPACE = '\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';
const LEADING = new RegExp(`^[${GO_SPACE}]+`);
const TRAILING = new RegExp(`[${GO_SPACE}]+$`);

/** Go's strings.TrimSpace. */
export function trimSpace(s: string): string {
  return s.replace(LEADING, '').replace(TRAILING, '');
}
