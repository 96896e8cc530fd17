import { QueryError } from './errors.ts';
import { tokenize, type Token, type TokenKind } from './lexer.ts';
import { goUnquote } from './go-strings.ts';

/** The query as written, before properties are resolved: what the grammar alone can tell. */
export type SyntaxNode =
  | { kind: 'condition'; property: string; comparator: string; value: string }
  | { kind: 'implicit'; value: string }
  | { kind: 'and' | 'or'; children: SyntaxNode[] };

const EXPRESSION_START: TokenKind[] = ['LPAREN', 'STRING', 'PROPERTY', 'TEXT'];
const LITERAL: TokenKind[] = ['STRING', 'PROPERTY', 'TEXT'];

/**
 * Recursive-descent parser for the contactql grammar. AND (explicit or by juxtaposition) binds
 * tighter than OR. Syntax errors reproduce the messages of RapidPro's generated parser for the
 * first error it would report (its single-token deletion/insertion recovery decides the wording).
 */
export function parseSyntax(query: string): SyntaxNode {
  return new Parser(tokenize(query)).parseQuery();
}

class Parser {
  private pos = 0;
  private parenDepth = 0;

  constructor(private readonly tokens: Token[]) {}

  parseQuery(): SyntaxNode {
    const node = this.parseOr();
    const t = this.peek();
    if (t.kind !== 'EOF') {
      const lead = this.peek(1).kind === 'EOF' ? 'extraneous' : 'mismatched';
      throw syntaxError(`${lead} input ${display(t)} expecting <EOF>`);
    }
    return node;
  }

  private parseOr(): SyntaxNode {
    const children = [this.parseAnd()];
    while (this.peek().kind === 'OR') {
      this.pos++;
      children.push(this.parseAnd());
    }
    return children.length === 1 ? children[0] : { kind: 'or', children };
  }

  private parseAnd(): SyntaxNode {
    const children = [this.parsePrimary()];
    for (;;) {
      const kind = this.peek().kind;
      if (kind === 'AND') {
        this.pos++;
        children.push(this.parsePrimary());
      } else if (EXPRESSION_START.includes(kind)) {
        children.push(this.parsePrimary());
      } else {
        break;
      }
    }
    return children.length === 1 ? children[0] : { kind: 'and', children };
  }

  private parsePrimary(): SyntaxNode {
    this.sync(EXPRESSION_START, "{'(', STRING, PROPERTY, TEXT}");
    const t = this.next();
    if (t.kind === 'LPAREN') {
      this.parenDepth++;
      const inner = this.parseOr();
      this.expectClosingParen();
      this.parenDepth--;
      return inner;
    }
    if (t.kind === 'PROPERTY' && this.peek().kind === 'COMPARATOR') {
      const comparator = this.next().text;
      return { kind: 'condition', property: t.text, comparator, value: this.parseLiteral() };
    }
    return { kind: 'implicit', value: literalValue(t) };
  }

  private parseLiteral(): string {
    this.sync(LITERAL, '{STRING, PROPERTY, TEXT}');
    return literalValue(this.next());
  }

  private expectClosingParen(): void {
    const t = this.peek();
    if (t.kind === 'RPAREN') {
      this.pos++;
      return;
    }
    if (this.peek(1).kind === 'RPAREN') throw syntaxError(`extraneous input ${display(t)} expecting ')'`);
    // only the outermost group may be followed by the end of the query, so only there can the
    // generated parser recover by pretending the ')' was present
    if (t.kind === 'EOF' && this.parenDepth === 1) throw syntaxError(`missing ')' at ${display(t)}`);
    throw syntaxError(`mismatched input ${display(t)} expecting ')'`);
  }

  /** Before a choice the generated parser either skips one stray token or reports a mismatch. */
  private sync(expected: TokenKind[], expectedText: string): void {
    const t = this.peek();
    if (expected.includes(t.kind)) return;
    const lead = expected.includes(this.peek(1).kind) ? 'extraneous' : 'mismatched';
    throw syntaxError(`${lead} input ${display(t)} expecting ${expectedText}`);
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.peek();
    this.pos++;
    return t;
  }
}

/** STRING literals are unquoted with Go's rules; when that fails the quotes are simply dropped. */
function literalValue(t: Token): string {
  if (t.kind !== 'STRING') return t.text;
  return goUnquote(t.text) ?? t.text.slice(1, -1);
}

function display(t: Token): string {
  if (t.kind === 'EOF') return "'<EOF>'";
  return `'${t.text.replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
}

function syntaxError(message: string): QueryError {
  return new QueryError('syntax', message);
}
