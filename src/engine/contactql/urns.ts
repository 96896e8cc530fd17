/**
 * Splits `scheme:path[?query][#display]` the way RapidPro's URN parser does: only structure is
 * checked (non-empty scheme and path, `?` and `#` in their places), not the scheme or path validity.
 */
export function parseUrnStructure(text: string): { scheme: string; path: string } | null {
  const parts = ['', '', '', ''];
  let state = 0; // scheme, path, query, fragment
  for (const c of text) {
    if (c === ':' && state === 0) {
      state = 1;
      continue;
    }
    if (c === '?') {
      if (state !== 1) return null;
      state = 2;
      continue;
    }
    if (c === '#') {
      if (state !== 1 && state !== 2) return null;
      state = 3;
      continue;
    }
    parts[state] += c;
  }
  if (parts[0] === '' || parts[1] === '') return null;
  return { scheme: unescapeUrnPart(parts[0]), path: unescapeUrnPart(parts[1]) };
}

const URN_ESCAPES: Record<string, string> = { '%23': '#', '%25': '%', '%3F': '?' };

function unescapeUrnPart(s: string): string {
  return s.replace(/%23|%25|%3F/g, (e) => URN_ESCAPES[e]);
}

const REF_ALPHABET = /^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6,7}$/;

/** True when `code` looks like an obfuscated contact reference (6–7 chars of the ref alphabet). */
export function looksLikeRef(code: string): boolean {
  return REF_ALPHABET.test(code.toUpperCase());
}
