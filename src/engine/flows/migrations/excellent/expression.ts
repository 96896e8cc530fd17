/**
 * A parser and printer for Excellent expressions (the `@(...)` syntax of spec 13+), enough to refactor
 * expressions inside flow definitions: parse, walk and change nodes, print back in canonical form.
 * Evaluation lives in the Excellent module; this only needs the syntax tree.
 */
import { Decimal } from 'decimal.js';
import { goQuote, goUnquote } from './go_strings.ts';

export type Expression =
  | { kind: 'ref'; name: string }
  | { kind: 'dot'; container: Expression; lookup: string }
  | { kind: 'index'; container: Expression; lookup: Expression }
  | { kind: 'call'; func: Expression; params: Expression[] }
  | { kind: 'anon'; args: string[]; body: Expression }
  | { kind: 'binary'; op: string; left: Expression; right: Expression }
  | { kind: 'negate'; exp: Expression }
  | { kind: 'parens'; exp: Expression }
  | { kind: 'text'; value: string }
  | { kind: 'number'; literal: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' };

export class ExpressionSyntaxError extends Error {}

type TokType = 'op' | 'text' | 'int' | 'dec' | 'true' | 'false' | 'null' | 'name' | 'error' | 'eof';
interface Tok { type: TokType; text: string }

const OPERATORS = ['=>', '!=', '<=', '>=', ',', '(', ')', '[', ']', '.', '+', '-', '*', '/', '^', '=', '<', '>', '&'];

const WS = /[ \t\n\r]+/y;
const TEXT = /"(?:\\"|[^"])*"/y;
const NUMBER = /[0-9]+(\.[0-9]+)?/y;
const NAME = /[\p{L}_]+[\p{L}\p{Nd}_]*/uy;

function matchAt(re: RegExp, src: string, i: number): RegExpExecArray | null {
  re.lastIndex = i;
  return re.exec(src);
}

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let m: RegExpExecArray | null;
  while (i < src.length) {
    if ((m = matchAt(WS, src, i))) { i += m[0].length; continue; }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op) { toks.push({ type: 'op', text: op }); i += op.length; continue; }
    if (src[i] === '"') {
      if (!(m = matchAt(TEXT, src, i))) { toks.push({ type: 'error', text: '"' }); i++; continue; }
      toks.push({ type: 'text', text: m[0] }); i += m[0].length; continue;
    }
    if ((m = matchAt(NUMBER, src, i))) { toks.push({ type: m[1] ? 'dec' : 'int', text: m[0] }); i += m[0].length; continue; }
    if ((m = matchAt(NAME, src, i))) {
      const lower = m[0].toLowerCase();
      const type: TokType = lower === 'true' ? 'true' : lower === 'false' ? 'false' : lower === 'null' ? 'null' : 'name';
      toks.push({ type, text: m[0] }); i += m[0].length; continue;
    }
    const ch = String.fromCodePoint(src.codePointAt(i) as number);
    toks.push({ type: 'error', text: ch }); i += ch.length;
  }
  toks.push({ type: 'eof', text: '' });
  return toks;
}

// binary operators by precedence, loosest first; all are left associative
const BINARY_LEVELS: string[][] = [['&'], ['=', '!='], ['<=', '<', '>=', '>'], ['+', '-'], ['*', '/'], ['^']];

class Parser {
  private pos = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(offset = 0): Tok { return this.toks[Math.min(this.pos + offset, this.toks.length - 1)]; }
  private next(): Tok { return this.toks[Math.min(this.pos++, this.toks.length - 1)]; }
  private isOp(text: string, offset = 0): boolean { const t = this.peek(offset); return t.type === 'op' && t.text === text; }
  private expectOp(text: string): void {
    if (!this.isOp(text)) throw new ExpressionSyntaxError(`syntax error at ${this.peek().text || 'end of input'}`);
    this.pos++;
  }

  parseAll(): Expression {
    const e = this.expression(0);
    if (this.peek().type !== 'eof') throw new ExpressionSyntaxError(`syntax error at ${this.peek().text}`);
    return e;
  }

  private expression(level: number): Expression {
    if (level >= BINARY_LEVELS.length) return this.unary();
    let left = this.expression(level + 1);
    while (this.peek().type === 'op' && BINARY_LEVELS[level].includes(this.peek().text)) {
      const op = this.next().text;
      left = { kind: 'binary', op, left, right: this.expression(level + 1) };
    }
    return left;
  }

  private unary(): Expression {
    if (this.isOp('-')) { this.pos++; return { kind: 'negate', exp: this.unary() }; }
    return this.primary();
  }

  private primary(): Expression {
    const t = this.peek();
    switch (t.type) {
      case 'text': {
        this.pos++;
        // like goflow: literals with escapes Go can't unquote (e.g. a regex \w) keep their raw content
        return { kind: 'text', value: goUnquote(t.text) ?? t.text.slice(1, -1) };
      }
      case 'int': case 'dec': this.pos++; return { kind: 'number', literal: t.text };
      case 'true': case 'false': this.pos++; return { kind: 'bool', value: t.type === 'true' };
      case 'null': this.pos++; return { kind: 'null' };
      default: {
        const anon = this.tryAnonFunction();
        return anon ?? this.atom();
      }
    }
  }

  private tryAnonFunction(): Expression | null {
    if (!this.isOp('(')) return null;
    const args: string[] = [];
    let i = 1;
    for (;;) {
      const t = this.peek(i);
      if (t.type !== 'name') return null;
      args.push(t.text);
      i++;
      if (this.isOp(',', i)) { i++; continue; }
      break;
    }
    if (!this.isOp(')', i) || !this.isOp('=>', i + 1)) return null;
    this.pos += i + 2;
    return { kind: 'anon', args, body: this.expression(0) };
  }

  private atom(): Expression {
    let e: Expression;
    const t = this.next();
    if (t.type === 'name') e = { kind: 'ref', name: t.text };
    else if (t.type === 'op' && t.text === '(') {
      e = { kind: 'parens', exp: this.expression(0) };
      this.expectOp(')');
    } else throw new ExpressionSyntaxError(`syntax error at ${t.text || 'end of input'}`);

    for (;;) {
      if (this.isOp('(')) {
        this.pos++;
        const params: Expression[] = [];
        if (!this.isOp(')')) {
          params.push(this.expression(0));
          while (this.isOp(',')) { this.pos++; params.push(this.expression(0)); }
        }
        this.expectOp(')');
        e = { kind: 'call', func: e, params };
      } else if (this.isOp('.')) {
        this.pos++;
        const l = this.next();
        // keywords are still names after a dot (ANTLR would reject them; no flow relies on either)
        if (l.type !== 'name' && l.type !== 'int') throw new ExpressionSyntaxError(`syntax error at ${l.text}`);
        e = { kind: 'dot', container: e, lookup: l.text };
      } else if (this.isOp('[')) {
        this.pos++;
        const lookup = this.expression(0);
        this.expectOp(']');
        e = { kind: 'index', container: e, lookup };
      } else {
        return e;
      }
    }
  }
}

export function parseExpression(src: string): Expression {
  return new Parser(tokenize(src)).parseAll();
}

/** Calls fn on every node, children before parents (as goflow's Visit does). */
export function visitExpression(e: Expression, fn: (e: Expression) => void): void {
  switch (e.kind) {
    case 'dot': visitExpression(e.container, fn); break;
    case 'index': visitExpression(e.container, fn); visitExpression(e.lookup, fn); break;
    case 'call': visitExpression(e.func, fn); e.params.forEach((p) => visitExpression(p, fn)); break;
    case 'anon': visitExpression(e.body, fn); break;
    case 'binary': visitExpression(e.left, fn); visitExpression(e.right, fn); break;
    case 'negate': case 'parens': visitExpression(e.exp, fn); break;
    default: break;
  }
  fn(e);
}

export function printExpression(e: Expression): string {
  switch (e.kind) {
    case 'ref': return e.name.toLowerCase();
    case 'dot': return `${printExpression(e.container)}.${e.lookup}`;
    case 'index': return `${printExpression(e.container)}[${printExpression(e.lookup)}]`;
    case 'call': return `${printExpression(e.func)}(${e.params.map(printExpression).join(', ')})`;
    case 'anon': return `(${e.args.join(', ')}) => ${printExpression(e.body)}`;
    case 'binary': return `${printExpression(e.left)} ${e.op} ${printExpression(e.right)}`;
    case 'negate': return `-${printExpression(e.exp)}`;
    case 'parens': return `(${printExpression(e.exp)})`;
    case 'text': return goQuote(e.value);
    case 'number': return new Decimal(e.literal).toFixed();
    case 'bool': return String(e.value);
    case 'null': return 'null';
  }
}
