/** The four parts of `scheme:path[?query][#display]`, unescaped. Empty query/display are omitted. */
export interface ParsedURN {
  scheme: string;
  path: string;
  query?: string;
  display?: string;
}

// Only these three characters are escaped: they are the part separators (and the escape itself).
// `/` is deliberately left alone because stored URNs already contain raw slashes (freshchat).
const ESCAPES: Record<string, string> = { '#': '%23', '%': '%25', '?': '%3F' };
const UNESCAPES: Record<string, string> = { '%23': '#', '%25': '%', '%3F': '?' };

/**
 * Splits a URN the way RapidPro's parser does (loosely RFC 2141): the first `:` ends the scheme
 * (later colons belong to the path), one `?` may start the query, one `#` the display, and the
 * display comes last. Only the structure is checked: scheme and path must be non-empty, the scheme
 * need not be known. Returns null when the text is not structurally a URN.
 */
export function parseURN(text: string): ParsedURN | null {
  const parts = ['', '', '', ''];
  let state = 0; // 0 scheme, 1 path, 2 query, 3 display
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

  const parsed: ParsedURN = { scheme: unescapeURNPart(parts[0]), path: unescapeURNPart(parts[1]) };
  if (parts[2] !== '') parsed.query = unescapeURNPart(parts[2]);
  if (parts[3] !== '') parsed.display = unescapeURNPart(parts[3]);
  return parsed;
}

/** The string form of URN parts, escaping `#`, `%` and `?` in each; empty query/display are left out. */
export function formatURN(parsed: ParsedURN): string {
  let s = escapeURNPart(parsed.scheme) + ':' + escapeURNPart(parsed.path);
  if (parsed.query) s += '?' + escapeURNPart(parsed.query);
  if (parsed.display) s += '#' + escapeURNPart(parsed.display);
  return s;
}

export function escapeURNPart(s: string): string {
  return s.replace(/[#%?]/g, (c) => ESCAPES[c]);
}

/**
 * Upstream replaces the escapes one after another, so `%253F` decodes to `?` there; a single pass
 * is the exact inverse of `escapeURNPart`, which keeps parse(format(x)) === x for every x.
 */
export function unescapeURNPart(s: string): string {
  return s.replace(/%23|%25|%3F/g, (e) => UNESCAPES[e]);
}
