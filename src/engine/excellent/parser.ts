// Recursive-descent parser for Excellent expressions with RapidPro's precedence table (§3.2):
// unary minus > ^ > * / > + - > comparisons > = != > & ; lambdas `(a, b) => body` take the rest.
import type { BinaryOp, Expr } from './ast.ts';
import { Decimal } from './decimal.ts';
import { tokenize, type Token, type TokenType } from './lexer.ts';
import { checkedNumber } from './numbers.ts';
import { goUnquote } from '../contactql/go-strings.ts';

/** Bracket nesting allowed before parsing is refused (RapidPro uses the same limit). */
export const MAX_NESTING = 100;
/** Syntax tree depth allowed (long operator chains nest too, without brackets). */
const MAX_TREE_DEPTH = 400;

export class SyntaxError extends Error {}

function nestingExceeds(s: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(' || c === '[' || c === '{') {
      if (++depth > max) return true;
    } else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
  }
  return false;
}

const LEVELS: TokenType[][] = [['&'], ['=', '!='], ['<=', '<', '>=', '>'], ['+', '-'], ['*', '/'], ['^']];

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly src: string, private readonly toks: Token[]) {}

  private peek(o = 0): Token {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)];
  }

  /** RapidPro quotes up to 10 characters of the offending line from where parsing stopped. */
  private fail(tok: Token): never {
    const rest = this.src.slice(tok.pos);
    const eol = rest.indexOf('\n');
    throw new SyntaxError(`syntax error at ${[...(eol < 0 ? rest : rest.slice(0, eol))].slice(0, 10).join('')}`);
  }

  private expect(type: TokenType): Token {
    const t = this.peek();
    if (t.type !== type) this.fail(t);
    this.i++;
    return t;
  }

  parse(): Expr {
    const e = this.expression();
    if (this.peek().type !== 'eof') this.fail(this.peek());
    return e;
  }

  private expression(): Expr {
    if (++this.depth > MAX_TREE_DEPTH) throw new SyntaxError('expression nesting too deep');
    const e = this.binary(0);
    this.depth--;
    return e;
  }

  private binary(level: number): Expr {
    if (level === LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    let chain = 0;
    while (LEVELS[level].includes(this.peek().type)) {
      const op = this.peek().type as BinaryOp;
      this.i++;
      const right = this.binary(level + 1);
      left = { k: 'bin', op, l: left, r: right };
      if (++chain + this.depth > MAX_TREE_DEPTH) throw new SyntaxError('expression nesting too deep');
    }
    return left;
  }

  private unary(): Expr {
    let negations = 0;
    while (this.peek().type === '-') {
      this.i++;
      negations++;
    }
    if (negations + this.depth > MAX_TREE_DEPTH) throw new SyntaxError('expression nesting too deep');
    let e = this.primary();
    for (let n = 0; n < negations; n++) e = { k: 'neg', x: e };
    return e;
  }

  private isLambda(): boolean {
    // ( name {, name} ) =>
    let j = 1;
    if (this.peek(j).type !== 'name') return false;
    j++;
    while (this.peek(j).type === ',') {
      if (this.peek(j + 1).type !== 'name') return false;
      j += 2;
    }
    return this.peek(j).type === ')' && this.peek(j + 1).type === '=>';
  }

  private primary(): Expr {
    const t = this.peek();
    switch (t.type) {
      case 'text':
        this.i++;
        return { k: 'text', v: goUnquote(t.text) ?? t.text.slice(1, -1) };
      case 'integer':
      case 'decimal': {
        this.i++;
        const n = checkedNumber(new Decimal(t.text));
        return n ? { k: 'num', v: n } : { k: 'error', message: `number ${t.text} is out of range` };
      }
      case 'true':
      case 'false':
        this.i++;
        return { k: 'bool', v: t.type === 'true' };
      case 'null':
        this.i++;
        return { k: 'null' };
      case '(':
        if (this.isLambda()) return this.lambda();
        return this.postfix(this.atomStart());
      case 'name':
        return this.postfix(this.atomStart());
      default:
        this.fail(t);
    }
  }

  private lambda(): Expr {
    this.expect('(');
    const params = [this.expect('name').text];
    while (this.peek().type === ',') {
      this.i++;
      params.push(this.expect('name').text);
    }
    this.expect(')');
    this.expect('=>');
    return { k: 'lambda', params, body: this.expression() };
  }

  private atomStart(): Expr {
    const t = this.peek();
    if (t.type === 'name') {
      this.i++;
      return { k: 'ref', name: t.text, lname: t.text.toLowerCase() };
    }
    this.expect('(');
    const x = this.expression();
    this.expect(')');
    return { k: 'paren', x };
  }

  private postfix(e: Expr): Expr {
    for (let chain = this.depth; ; chain++) {
      if (chain > MAX_TREE_DEPTH) throw new SyntaxError('expression nesting too deep');
      const t = this.peek();
      if (t.type === '(') {
        this.i++;
        const args: Expr[] = [];
        if (this.peek().type !== ')') {
          args.push(this.expression());
          while (this.peek().type === ',') {
            this.i++;
            args.push(this.expression());
          }
        }
        this.expect(')');
        e = { k: 'call', fn: e, args };
      } else if (t.type === '.') {
        this.i++;
        const k = this.peek();
        if (k.type !== 'name' && k.type !== 'integer') this.fail(k);
        this.i++;
        e = { k: 'dot', obj: e, key: k.text, lkey: k.text.toLowerCase() };
      } else if (t.type === '[') {
        this.i++;
        const index = this.expression();
        this.expect(']');
        e = { k: 'index', obj: e, index };
      } else return e;
    }
  }
}

/** Children of a node, for walking trees without recursion. */
function children(e: Expr): Expr[] {
  switch (e.k) {
    case 'dot': return [e.obj];
    case 'index': return [e.obj, e.index];
    case 'call': return [e.fn, ...e.args];
    case 'lambda': return [e.body];
    case 'neg': case 'paren': return [e.x];
    case 'bin': return [e.l, e.r];
    default: return [];
  }
}

/** Whether the tree is deeper than `max` (evaluation recurses once per level). */
function treeDepthExceeds(root: Expr, max: number): boolean {
  const stack: [Expr, number][] = [[root, 1]];
  while (stack.length) {
    const [e, d] = stack.pop()!;
    if (d > max) return true;
    for (const c of children(e)) stack.push([c, d + 1]);
  }
  return false;
}

/** Evaluation depth allowed: far above real expressions, far below the JS stack limit. */
const MAX_EVAL_DEPTH = 2000;

/** Parses an expression; throws SyntaxError with RapidPro's message text. */
export function parseExpression(src: string): Expr {
  if (nestingExceeds(src, MAX_NESTING)) throw new SyntaxError('expression nesting too deep');
  const e = new Parser(src, tokenize(src)).parse();
  if (treeDepthExceeds(e, MAX_EVAL_DEPTH)) throw new SyntaxError('expression nesting too deep');
  return e;
}
