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
