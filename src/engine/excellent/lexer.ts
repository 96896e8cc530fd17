// Tokenizer for Excellent expressions (the token set of RapidPro's Excellent3 grammar).

export type TokenType =
  | 'name' | 'text' | 'integer' | 'decimal' | 'true' | 'false' | 'null'
  | ',' | '(' | ')' | '[' | ']' | '.' | '=>' | '+' | '-' | '*' | '/' | '^' | '=' | '!=' | '<=' | '<' | '>=' | '>' | '&'
  | 'error' | 'eof';

export interface Token {
  type: TokenType;
  text: string;
  pos: number;
}

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

function isLetter(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) return true;
  return c >= 128 && LETTER.test(ch);
}

function isDigitOrLetter(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 95 || (c >= 97 && c <= 122) || (c >= 65 && c <= 90)) return true;
  return c >= 128 && (LETTER.test(ch) || DIGIT.test(ch));
}

function codePointAt(s: string, i: number): string {
  const cp = s.codePointAt(i)!;
  return String.fromCodePoint(cp);
}

const ONE_CHAR = new Set([',', '(', ')', '[', ']', '.', '+', '-', '*', '/', '^', '=', '<', '>', '&']);

/** Two-character operators keyed by their first character. */
function twoCharOp(c: string, next: string): TokenType | null {
  if (next === '=') {
    if (c === '!') return '!=';
    if (c === '<') return '<=';
    if (c === '>') return '>=';
  } else if (c === '=' && next === '>') return '=>';
  return null;
}

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    const start = i;
    const two = twoCharOp(ch, src[i + 1]);
    if (two) {
      out.push({ type: two, text: two, pos: start });
      i += 2;
      continue;
    }
    if (ONE_CHAR.has(ch)) {
      out.push({ type: ch as TokenType, text: ch, pos: start });
      i++;
      continue;
    }
    if (ch === '"') {
      // a literal runs to the next quote not preceded by a backslash
      i++;
      let closed = false;
      while (i < src.length) {
        if (src[i] === '\\' && src[i + 1] === '"') {
          i += 2;
          continue;
        }
        if (src[i] === '"') {
          closed = true;
          i++;
          break;
        }
        i++;
      }
      if (!closed) {
        out.push({ type: 'error', text: src.slice(start, start + 1), pos: start });
        i = start + 1;
        continue;
      }
      out.push({ type: 'text', text: src.slice(start, i), pos: start });
      continue;
    }
    if (ch >= '0' && ch <= '9') {
      while (i < src.length && src[i] >= '0' && src[i] <= '9') i++;
      if (src[i] === '.' && src[i + 1] >= '0' && src[i + 1] <= '9') {
        i++;
        while (i < src.length && src[i] >= '0' && src[i] <= '9') i++;
        out.push({ type: 'decimal', text: src.slice(start, i), pos: start });
      } else {
        out.push({ type: 'integer', text: src.slice(start, i), pos: start });
      }
      continue;
    }
    const cp = codePointAt(src, i);
    if (cp === '_' || isLetter(cp)) {
      i += cp.length;
      while (i < src.length) {
        const c = codePointAt(src, i);
        if (!isDigitOrLetter(c)) break;
        i += c.length;
      }
      const text = src.slice(start, i);
      const lower = text.toLowerCase();
      const type: TokenType = lower === 'true' ? 'true' : lower === 'false' ? 'false' : lower === 'null' ? 'null' : 'name';
      out.push({ type, text, pos: start });
      continue;
    }
    out.push({ type: 'error', text: cp, pos: start });
    i += cp.length;
  }
  out.push({ type: 'eof', text: '<EOF>', pos: src.length });
  return out;
}
