// Queries store string values in Go's double-quoted syntax (RapidPro writes them with Go's
// strconv.Quote and reads them with strconv.Unquote), so both directions follow Go's rules.

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 0x07, b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b, '\\': 0x5c, '"': 0x22,
};

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * Go's strconv.Unquote for a double-quoted literal (quotes included). Returns null when Go would fail:
 * an unescaped quote or newline inside, or an unknown or malformed escape. Byte escapes (\xHH, \ooo)
 * are assembled as UTF-8 bytes, as Go does.
 */
export function goUnquote(literal: string): string | null {
  if (literal.length < 2 || !literal.startsWith('"') || !literal.endsWith('"')) return null;
  const body = literal.slice(1, -1);
  if (!/["\n\\]/.test(body)) return body;
  const bytes: number[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (c === '"' || c === '\n') return null;
    if (c !== '\\') {
      const cp = body.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...utf8.encode(ch));
      i += ch.length;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) return null;
    if (e in SIMPLE_ESCAPES) {
      bytes.push(SIMPLE_ESCAPES[e]);
      i += 2;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const width = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + width);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) return null;
      const value = parseInt(hex, 16);
      if (e === 'x') bytes.push(value);
      else if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) return null;
      else bytes.push(...utf8.encode(String.fromCodePoint(value)));
      i += 2 + width;
    } else if (e >= '0' && e <= '7') {
      const oct = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct)) return null;
      const value = parseInt(oct, 8);
      if (value > 255) return null;
      bytes.push(value);
      i += 4;
    } else {
      return null;
    }
  }
  return utf8Decoder.decode(new Uint8Array(bytes));
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const CONTROL_ESCAPES: Record<number, string> = {
  0x07: '\\a', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x0b: '\\v',
};

/** Go's strconv.Quote: printable characters kept, others escaped as \n, \xHH, \uHHHH or \UHHHHHHHH. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (PRINTABLE.test(ch)) out += ch;
    else if (cp in CONTROL_ESCAPES) out += CONTROL_ESCAPES[cp];
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(cp, 2);
    else if (cp < 0x10000) out += '\\u' + hex(cp, 4);
    else out += '\\U' + hex(cp, 8);
  }
  return out + '"';
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
