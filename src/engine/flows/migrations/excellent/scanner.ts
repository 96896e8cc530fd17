/**
 * Splits a template into body text, `@identifier` references and `@(expression)` blocks, the way
 * goflow's template scanner does. Used by migrations that rewrite expressions inside templates, and by
 * the legacy expression migrator (which scans with the legacy top-levels).
 */
export type TemplateTokenType = 'body' | 'identifier' | 'expression';

export interface TemplateToken {
  type: TemplateTokenType;
  text: string;
}

const EOF = -1;

const NAME_CHAR = /[\p{L}\p{N}_]/u;

function isNameChar(ch: number): boolean {
  if (ch === EOF) return false;
  if (ch < 0x80) return (ch >= 0x30 && ch <= 0x39) || (ch >= 0x41 && ch <= 0x5a) || (ch >= 0x61 && ch <= 0x7a) || ch === 0x5f;
  return NAME_CHAR.test(String.fromCodePoint(ch));
}

class Input {
  private pos = 0;
  private readonly chars: number[];

  constructor(text: string) {
    this.chars = Array.from(text, (c) => c.codePointAt(0) as number);
  }

  read(): number {
    if (this.pos >= this.chars.length) return EOF;
    return this.chars[this.pos++];
  }

  /** Pushes back the last read character; reading past the end consumed nothing, so EOF is not pushed. */
  unread(ch: number): void {
    if (ch !== EOF) this.pos--;
  }
}

const AT = 0x40;
const LPAREN = 0x28;
const RPAREN = 0x29;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const DOT = 0x2e;

export interface ScanOptions {
  /** Top-level names allowed for `@name` identifiers; null allows any. */
  topLevels: readonly string[] | null;
  /** Whether `@@` in body text becomes `@` (true) or is kept escaped (false). */
  unescapeBody: boolean;
}

export function scanTemplate(template: string, opts: ScanOptions): TemplateToken[] {
  const input = new Input(template);
  const tokens: TemplateToken[] = [];
  const chr = (c: number) => String.fromCodePoint(c);

  const readTextLiteral = (out: string[]) => {
    let escaped = false;
    for (let ch = input.read(); ch !== EOF; ch = input.read()) {
      out.push(chr(ch));
      if (ch === QUOTE && !escaped) break;
      escaped = ch === BACKSLASH;
    }
  };

  const scanExpression = (): TemplateToken => {
    const out: string[] = [];
    let parens = 1;
    for (let ch = input.read(); ch !== EOF; ch = input.read()) {
      if (ch === QUOTE) {
        out.push(chr(ch));
        readTextLiteral(out);
      } else if (ch === LPAREN) {
        out.push(chr(ch));
        parens++;
      } else if (ch === RPAREN) {
        parens--;
        if (parens === 0) break;
        out.push(chr(ch));
      } else {
        out.push(chr(ch));
      }
    }
    const text = out.join('');
    return parens === 0 ? { type: 'expression', text } : { type: 'body', text: '@(' + text };
  };

  const scanIdentifier = (): TemplateToken => {
    const out: string[] = [];
    let topLevel = '';
    for (let ch = input.read(); ch !== EOF; ch = input.read()) {
      if (ch === DOT && topLevel === '') topLevel = out.join('');
      if (ch === DOT) {
        // a period only continues the identifier when a name character follows it
        const peek = input.read();
        if (isNameChar(peek)) {
          out.push('.', chr(peek));
        } else {
          input.unread(peek);
          input.unread(DOT);
          break;
        }
      } else if (isNameChar(ch)) {
        out.push(chr(ch));
      } else {
        input.unread(ch);
        break;
      }
    }
    const identifier = out.join('');
    const top = (topLevel === '' ? identifier : topLevel).toLowerCase();
    if (opts.topLevels === null || opts.topLevels.includes(top)) return { type: 'identifier', text: identifier };
    // looked like an identifier but isn't an allowed top-level, e.g. an email address
    return { type: 'body', text: '@' + identifier };
  };

  const scanBody = (): TemplateToken => {
    const out: string[] = [];
    for (let ch = input.read(); ch !== EOF; ch = input.read()) {
      if (ch !== AT) {
        out.push(chr(ch));
        continue;
      }
      const peek = input.read();
      if (peek === LPAREN || isNameChar(peek)) {
        input.unread(peek);
        input.unread(AT);
        break;
      } else if (peek === AT) {
        out.push(opts.unescapeBody ? '@' : '@@');
      } else if (peek === EOF) {
        out.push('@');
      } else {
        out.push('@', chr(peek));
      }
    }
    return { type: 'body', text: out.join('') };
  };

  for (;;) {
    const ch = input.read();
    if (ch === EOF) break;
    if (ch === AT) {
      const peek = input.read();
      if (peek === LPAREN) {
        tokens.push(scanExpression());
        continue;
      }
      if (peek === AT) {
        input.unread(peek);
        input.unread(AT);
        tokens.push(scanBody());
        continue;
      }
      if (isNameChar(peek)) {
        input.unread(peek);
        tokens.push(scanIdentifier());
        continue;
      }
      input.unread(peek);
      input.unread(AT);
      tokens.push(scanBody());
    } else {
      input.unread(ch);
      tokens.push(scanBody());
    }
  }
  return tokens;
}
