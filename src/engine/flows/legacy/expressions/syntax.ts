/**
 * Parser for the legacy (v11-era, Excel-like) expression syntax found inside `@(...)`: `<>` for not
 * equal, `""` escapes in strings, dotted names such as `contact.age` as single references, and
 * function names like `DATEVALUE`. Produces a small tree that migrate.ts turns into new syntax.
 */
export type LegacyExpression =
  | { kind: 'call'; name: string; params: LegacyExpression[] }
  | { kind: 'negate'; exp: LegacyExpression }
  | { kind: 'binary'; op: string; left: LegacyExpression; right: LegacyExpression }
  | { kind: 'parens'; exp: LegacyExpression }
  | { kind: 'string'; literal: string }
  | { kind: 'decimal'; literal: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'ref'; path: string };

export class LegacySyntaxError extends Error {}

type TokType = 'op' | 'string' | 'decimal' | 'true' | 'false' | 'name' | 'error' | 'eof';
interface Tok { type: TokType; text: string }

const OPERATORS = ['<>', '<=', '>=', ',', '(', ')', '+', '-', '*', '/', '^', '=', '<', '>', '&'];

// bracket nesting beyond this is rejected before parsing rather than risking the stack
const MAX_DEPTH = 100;

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const rest = src.slice(i);
    let m: RegExpExecArray | null;
    if ((m = /^[ \t\n\r]+/.exec(rest))) { i += m[0].length; continue; }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (op) { toks.push({ type: 'op', text: op }); i += op.length; continue; }
    if ((m = /^"(?:[^"]|"")*"/.exec(rest))) { toks.push({ type: 'string', text: m[0] }); i += m[0].length; continue; }
    if ((m = /^[0-9]+(?:\.[0-9]+)?/.exec(rest))) { toks.push({ type: 'decimal', text: m[0] }); i += m[0].length; continue; }
    if ((m = /^\p{L}+[\p{L}\p{Nd}_.]*/u.exec(rest))) {
      const lower = m[0].toLowerCase();
      toks.push({ type: lower === 'true' ? 'true' : lower === 'false' ? 'false' : 'name', text: m[0] });
      i += m[0].length;
      continue;
    }
    const ch = String.fromCodePoint(rest.codePointAt(0) as number);
    toks.push({ type: 'error', text: ch });
    i += ch.length;
  }
  toks.push({ type: 'eof', text: '' });
  return toks;
}

// loosest first; every level is left associative
const BINARY_LEVELS: string[][] = [['&'], ['=', '<>'], ['<=', '<', '>=', '>'], ['+', '-'], ['*', '/'], ['^']];

class Parser {
  private pos = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(offset = 0): Tok { return this.toks[Math.min(this.pos + offset, this.toks.length - 1)]; }
  private isOp(text: string, offset = 0): boolean { const t = this.peek(offset); return t.type === 'op' && t.text === text; }
  private fail(): never {
    const t = this.peek();
    throw new LegacySyntaxError(t.type === 'eof' ? 'Expression is invalid' : `Expression error at: ${t.text}`);
  }
  private expectOp(text: string): void { if (!this.isOp(text)) this.fail(); this.pos++; }

  parseAll(): LegacyExpression {
    const e = this.expression(0);
    if (this.peek().type !== 'eof') this.fail();
    return e;
  }

  private expression(level: number): LegacyExpression {
    if (level >= BINARY_LEVELS.length) return this.unary();
    let left = this.expression(level + 1);
    while (this.peek().type === 'op' && BINARY_LEVELS[level].includes(this.peek().text)) {
      const op = this.toks[this.pos++].text;
      left = { kind: 'binary', op, left, right: this.expression(level + 1) };
    }
    return left;
  }

  private unary(): LegacyExpression {
    if (this.isOp('-')) { this.pos++; return { kind: 'negate', exp: this.unary() }; }
    return this.primary();
  }

  private primary(): LegacyExpression {
    const t = this.peek();
    const isFnName = t.type === 'name' || t.type === 'true' || t.type === 'false';
    if (isFnName && this.isOp('(', 1)) {
      this.pos += 2;
      const params: LegacyExpression[] = [];
      if (!this.isOp(')')) {
        params.push(this.expression(0));
        while (this.isOp(',')) { this.pos++; params.push(this.expression(0)); }
      }
      this.expectOp(')');
      return { kind: 'call', name: t.text, params };
    }
    this.pos++;
    switch (t.type) {
      case 'string': return { kind: 'string', literal: t.text };
      case 'decimal': return { kind: 'decimal', literal: t.text };
      case 'true': case 'false': return { kind: 'bool', value: t.type === 'true' };
      case 'name': return { kind: 'ref', path: t.text };
      case 'op':
        if (t.text === '(') {
          const exp = this.expression(0);
          this.expectOp(')');
          return { kind: 'parens', exp };
        }
        break;
      default: break;
    }
    this.pos--;
    return this.fail();
  }
}

function nestingExceeds(src: string, max: number): boolean {
  let depth = 0;
  for (const c of src) {
    if (c === '(' || c === '[' || c === '{') { if (++depth > max) return true; }
    else if (c === ')' || c === ']' || c === '}') depth--;
  }
  return false;
}

export function parseLegacyExpression(src: string): LegacyExpression {
  if (nestingExceeds(src, MAX_DEPTH)) throw new LegacySyntaxError('expression nesting too deep');
  return new Parser(tokenize(src)).parseAll();
}
