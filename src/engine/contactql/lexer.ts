/** Token kinds, named as RapidPro's grammar names them because syntax errors quote these names. */
export type TokenKind =
  | 'LPAREN'
  | 'RPAREN'
  | 'AND'
  | 'OR'
  | 'COMPARATOR'
  | 'STRING'
  | 'PROPERTY'
  | 'TEXT'
  | 'ERROR'
  | 'EOF';

export interface Token {
  kind: TokenKind;
  text: string;
}

const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;
const TEXT_PUNCTUATION = new Set(['_', '.', '-', '+', '/', "'", '@', ':']);
const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const SYMBOL_COMPARATORS = ['!=', '>=', '<=', '=', '~', '>', '<'];

// ASCII is checked by code range first: the Unicode property regexes are only needed beyond it
function isLetter(c: string): boolean {
  const code = c.charCodeAt(0);
  if (code < 128) return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  return LETTER.test(c);
}

function isDigit(c: string): boolean {
  const code = c.charCodeAt(0);
  if (code < 128) return code >= 48 && code <= 57;
  return DIGIT.test(c);
}

const isKeyChar = (c: string) => c === '_' || isLetter(c) || isDigit(c);
const isTextChar = (c: string) => TEXT_PUNCTUATION.has(c) || isLetter(c) || isDigit(c);

/**
 * Splits a query into tokens the way RapidPro's generated lexer does: at each position the longest
 * match wins, and on equal length the earlier rule (keywords, then PROPERTY, then TEXT) wins. That
 * is why `and` is AND, `andrew` is PROPERTY and `27-01-2020` is TEXT.
 */
export function tokenize(query: string): Token[] {
  const chars = Array.from(query);
  const tokens: Token[] = [];
  let i = 0;
  while (i < chars.length) {
    if (WHITESPACE.has(chars[i])) {
      i++;
      continue;
    }
    const [token, length] = longestTokenAt(chars, i);
    tokens.push(token);
    i += length;
  }
  tokens.push({ kind: 'EOF', text: '<EOF>' });
  return tokens;
}

/** The token starting at `start` and its length in characters. */
function longestTokenAt(chars: string[], start: number): [Token, number] {
  const c = chars[start];
  if (c === '(') return [{ kind: 'LPAREN', text: c }, 1];
  if (c === ')') return [{ kind: 'RPAREN', text: c }, 1];
  if (c === '"') {
    const end = stringEnd(chars, start);
    if (end > 0) return [{ kind: 'STRING', text: chars.slice(start, end).join('') }, end - start];
  }
  for (const op of SYMBOL_COMPARATORS) {
    if (c === op[0] && (op.length === 1 || chars[start + 1] === op[1])) return [{ kind: 'COMPARATOR', text: op }, op.length];
  }

  const propertyLength = propertyLengthAt(chars, start);
  const textLength = runLength(chars, start, isTextChar);
  const wordLength = runLength(chars, start, isLetter);
  const keyword = wordLength <= 3 ? keywordKind(chars.slice(start, start + wordLength).join('')) : null;
  const keywordLength = keyword ? wordLength : 0;

  const best = Math.max(keywordLength, propertyLength, textLength);
  if (best === 0) return [{ kind: 'ERROR', text: c }, 1];
  const text = chars.slice(start, start + best).join('');
  if (keyword && keywordLength === best) return [{ kind: keyword, text }, best];
  if (propertyLength === best) return [{ kind: 'PROPERTY', text }, best];
  return [{ kind: 'TEXT', text }, best];
}

/** Keywords are whole-word matches; a longer word is a PROPERTY/TEXT by the longest-match rule. */
function keywordKind(word: string): TokenKind | null {
  switch (word.toLowerCase()) {
    case 'and':
      return 'AND';
    case 'or':
      return 'OR';
    case 'has':
    case 'is':
      return 'COMPARATOR';
    default:
      return null;
  }
}

function runLength(chars: string[], start: number, accept: (c: string) => boolean): number {
  let n = 0;
  while (start + n < chars.length && accept(chars[start + n])) n++;
  return n;
}

/** PROPERTY := (letters ".")? [letters digits _]+ */
function propertyLengthAt(chars: string[], start: number): number {
  const key = runLength(chars, start, isKeyChar);
  const prefix = runLength(chars, start, isLetter);
  if (prefix > 0 && chars[start + prefix] === '.') {
    const afterDot = runLength(chars, start + prefix + 1, isKeyChar);
    if (afterDot > 0) return Math.max(key, prefix + 1 + afterDot);
  }
  return key;
}

/**
 * A string is `"` … `"` where any inner `"` is preceded by a backslash. As with the generated lexer,
 * the longest such token wins, so `"a\" b"` is one string. Returns the end index, or 0 when unclosed.
 */
function stringEnd(chars: string[], start: number): number {
  let end = 0;
  for (let j = start + 1; j < chars.length; j++) {
    if (chars[j] !== '"') continue;
    end = j + 1;
    const escaped = j - 1 > start && chars[j - 1] === '\\';
    if (!escaped) break;
  }
  return end;
}
